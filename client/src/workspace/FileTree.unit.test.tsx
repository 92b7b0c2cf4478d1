import { fireEvent, render, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TreeEntry } from '../api/types';
import { FileTree } from './FileTree';
import type { TreeRow } from './useTree';

const entry = (path: string, kind: 'file' | 'directory' = 'file'): TreeEntry => ({
  path,
  kind,
  size: 10,
  lastModified: '2026-01-01T00:00:00.000Z',
  executable: false,
});

function rows(count: number): TreeRow[] {
  return [
    { kind: 'entry', entry: entry('scripts', 'directory'), depth: 0, expanded: true },
    ...Array.from(
      { length: count },
      (_, index): TreeRow => ({
        kind: 'entry',
        entry: entry(`scripts/file-${String(index).padStart(5, '0')}.ps1`),
        depth: 1,
        expanded: false,
      }),
    ),
  ];
}

// happy-dom lays nothing out: give the scroll container the size a browser would.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({
    x: 0,
    y: 0,
    top: 0,
    left: 0,
    bottom: 600,
    right: 280,
    width: 280,
    height: 600,
    toJSON: () => ({}),
  });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 280 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 280 });
  // Its ResizeObserver reports 0×0 boxes, which would hide every row; measure once instead.
  vi.stubGlobal('ResizeObserver', undefined);
});

describe('FileTree', () => {
  it('renders only the rows in view of 10,000 files', async () => {
    render(
      <FileTree
        rows={rows(10_000)}
        selected={null}
        dirty={new Set()}
        onSelect={vi.fn()}
        onOpen={vi.fn()}
        onToggle={vi.fn()}
      />,
    );
    const items = await screen.findAllByRole('treeitem');
    expect(items.length).toBeGreaterThan(5);
    expect(items.length).toBeLessThan(100);
    expect(items[0]?.getAttribute('aria-expanded')).toBe('true');
  });

  it('marks unsaved files and opens a file with Enter', async () => {
    const onOpen = vi.fn();
    const all = rows(3);
    render(
      <FileTree
        rows={all}
        selected="scripts/file-00001.ps1"
        dirty={new Set(['scripts/file-00001.ps1'])}
        onSelect={vi.fn()}
        onOpen={onOpen}
        onToggle={vi.fn()}
      />,
    );
    expect(await screen.findAllByRole('img', { name: 'unsaved changes' })).toHaveLength(1);
    fireEvent.keyDown(screen.getByRole('tree'), { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith(entry('scripts/file-00001.ps1'));
  });

  it('moves the selection with the arrow keys and closes a folder with ArrowLeft', () => {
    const onSelect = vi.fn();
    const onToggle = vi.fn();
    const { rerender } = render(
      <FileTree
        rows={rows(3)}
        selected="scripts/file-00000.ps1"
        dirty={new Set()}
        onSelect={onSelect}
        onOpen={vi.fn()}
        onToggle={onToggle}
      />,
    );
    fireEvent.keyDown(screen.getByRole('tree'), { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(entry('scripts/file-00001.ps1'));
    rerender(
      <FileTree
        rows={rows(3)}
        selected="scripts"
        dirty={new Set()}
        onSelect={onSelect}
        onOpen={vi.fn()}
        onToggle={onToggle}
      />,
    );
    fireEvent.keyDown(screen.getByRole('tree'), { key: 'ArrowLeft' });
    expect(onToggle).toHaveBeenCalledWith('scripts', false);
  });
});
