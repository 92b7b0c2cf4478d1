import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/ApiClient';
import { ApiError, NetworkError } from '../api/ApiError';
import type { TreeEntry } from '../api/types';
import { AppContext, type AppState } from '../app/AppContext';
import { WorkspacePage } from './WorkspacePage';

const disposeModel = vi.hoisted(() => vi.fn());

// Monaco does not run in happy-dom: a textarea stands in for the editor.
vi.mock('../editor/CodeEditor', () => ({
  default: ({ value, onChange }: { value: string; onChange: (text: string) => void }) => (
    <textarea aria-label="Editor" defaultValue={value} onChange={(event) => onChange(event.target.value)} />
  ),
  disposeModel,
}));

const entry = (path: string, kind: 'file' | 'directory' = 'file'): TreeEntry => ({
  path,
  kind,
  size: 5,
  lastModified: '2026-01-01T00:00:00.000Z',
  executable: false,
});

function renderPage(api: Partial<Record<keyof ApiClient, unknown>>) {
  const app = {
    api: {
      status: async () => ({ readOnly: false, mode: 'manual-edit', files: 2, totalBytes: 10 }),
      tree: async (_scope: string, path: string) =>
        path === '' ? [entry('scripts', 'directory')] : [entry('scripts/a.ps1'), entry('scripts/b.ps1')],
      readFile: async (_scope: string, path: string) => ({
        path,
        encoding: 'utf8',
        content: 'old',
        etag: 'e1',
        size: 3,
      }),
      ...api,
    } as unknown as ApiClient,
    scope: { scope: 'contoso', canWrite: true },
    config: { maxFileBytes: 1_000_000 },
  } as unknown as AppState;
  return render(
    <AppContext.Provider value={app}>
      <WorkspacePage />
    </AppContext.Provider>,
  );
}

async function openAndEdit(name: string, text: string) {
  fireEvent.click(await screen.findByRole('treeitem', { name: name }));
  fireEvent.change(await screen.findByRole('textbox', { name: 'Editor' }), { target: { value: text } });
}

// happy-dom lays nothing out: give the file list the size a browser would.
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
  vi.stubGlobal('ResizeObserver', undefined);
});

describe('WorkspacePage', () => {
  it('shows an error when the server version cannot be read after a save conflict', async () => {
    let reads = 0;
    renderPage({
      readFile: async (_scope: string, path: string) => {
        reads += 1;
        if (reads > 1) throw new NetworkError(new TypeError('Failed to fetch'));
        return { path, encoding: 'utf8', content: 'old', etag: 'e1', size: 3 };
      },
      saveText: async () => {
        throw new ApiError(412, 'PreconditionFailed', 'The file changed.');
      },
    });
    fireEvent.click(await screen.findByRole('treeitem', { name: 'scripts' }));
    await openAndEdit('a.ps1', 'mine');
    await act(async () => fireEvent.keyDown(window, { key: 's', ctrlKey: true }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/could not be reached/);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('names the unsaved open files a folder delete would discard, and frees closed files', async () => {
    renderPage({});
    fireEvent.click(await screen.findByRole('treeitem', { name: 'scripts' }));
    await openAndEdit('a.ps1', 'changed');
    fireEvent.click(await screen.findByRole('treeitem', { name: 'b.ps1' }));
    await screen.findByRole('button', { name: 'Close b.ps1' });

    fireEvent.click(screen.getByRole('treeitem', { name: 'scripts' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    const lost = within(dialog).getByRole('list', { name: 'Unsaved files to be lost' });
    expect(
      within(lost)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['scripts/a.ps1']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    fireEvent.click(screen.getByRole('button', { name: 'Close b.ps1' }));
    await vi.waitFor(() =>
      expect(disposeModel).toHaveBeenCalledWith(expect.stringMatching(/^contoso\/\d+\/scripts\/b\.ps1$/)),
    );
  });
});
