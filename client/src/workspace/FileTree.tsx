import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { messageOf } from '../api/ApiError';
import type { TreeEntry } from '../api/types';
import { nameOf, parentOf } from './paths';
import type { TreeRow } from './useTree';

const ROW_HEIGHT = 26;

interface FileTreeProps {
  readonly rows: readonly TreeRow[];
  readonly selected: string | null;
  readonly dirty: ReadonlySet<string>;
  readonly onSelect: (entry: TreeEntry) => void;
  /** Enter or a click on a file. */
  readonly onOpen: (entry: TreeEntry) => void;
  readonly onToggle: (folder: string, open?: boolean) => void;
  readonly onRename?: (entry: TreeEntry) => void;
  readonly onDelete?: (entry: TreeEntry) => void;
}

/**
 * The scope's files as an ARIA tree, virtualised: only the rows in view are in the DOM. Arrow keys
 * move and open/close folders, Enter opens a file, F2 renames, Delete deletes.
 */
export function FileTree({ rows, selected, dirty, onSelect, onOpen, onToggle, onRename, onDelete }: FileTreeProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 280, height: 600 },
  });
  const entryRows = rows
    .map((row, index) => ({ row, index }))
    .filter((item): item is { row: Extract<TreeRow, { kind: 'entry' }>; index: number } => item.row.kind === 'entry');
  const selectedIndex = rows.findIndex((row) => row.kind === 'entry' && row.entry.path === selected);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  function move(delta: number) {
    const position = entryRows.findIndex((item) => item.index === selectedIndex);
    const next = entryRows[Math.min(entryRows.length - 1, Math.max(0, position + delta))];
    if (next) onSelect(next.row.entry);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = rows[selectedIndex];
    const entry = current?.kind === 'entry' ? current : null;
    switch (event.key) {
      case 'ArrowDown':
        move(entry ? 1 : 0);
        break;
      case 'ArrowUp':
        move(-1);
        break;
      case 'ArrowRight':
        if (entry?.entry.kind === 'directory') {
          if (!entry.expanded) onToggle(entry.entry.path, true);
          else move(1);
        }
        break;
      case 'ArrowLeft':
        if (entry?.entry.kind === 'directory' && entry.expanded) onToggle(entry.entry.path, false);
        else if (entry) {
          const parent = entryRows.find((item) => item.row.entry.path === parentOf(entry.entry.path));
          if (parent) onSelect(parent.row.entry);
        }
        break;
      case 'Enter':
        if (entry) {
          if (entry.entry.kind === 'directory') onToggle(entry.entry.path);
          else onOpen(entry.entry);
        }
        break;
      case 'F2':
        if (entry && onRename) onRename(entry.entry);
        break;
      case 'Delete':
        if (entry && onDelete) onDelete(entry.entry);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  const activeId = selectedIndex >= 0 ? `tree-row-${selectedIndex}` : undefined;
  return (
    <div
      ref={scroller}
      className="tree"
      role="tree"
      aria-label="Files"
      tabIndex={0}
      aria-activedescendant={activeId}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (selectedIndex < 0 && entryRows[0]) onSelect(entryRows[0].row.entry);
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const style = {
            transform: `translateY(${item.start}px)`,
            height: ROW_HEIGHT,
            paddingLeft: 8 + row.depth * 16,
          };
          if (row.kind !== 'entry') {
            return (
              <div key={item.key} className={`tree-row tree-note tree-${row.kind}`} style={style} role="none">
                {row.kind === 'error' ? messageOf(row.error) : row.kind === 'loading' ? 'Loading…' : 'Empty folder'}
              </div>
            );
          }
          const { entry } = row;
          const isFolder = entry.kind === 'directory';
          const isDirty = dirty.has(entry.path);
          return (
            // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/useFocusableInteractive: the tree uses the ARIA activedescendant pattern: focus and keys stay on role="tree", which names this row active; a focusable row would take focus from it
            <div
              key={item.key}
              id={`tree-row-${item.index}`}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-selected={entry.path === selected}
              aria-expanded={isFolder ? row.expanded : undefined}
              className={`tree-row${entry.path === selected ? ' tree-row-selected' : ''}`}
              style={style}
              title={entry.path}
              data-path={entry.path}
              onClick={() => {
                onSelect(entry);
                if (isFolder) onToggle(entry.path);
                else onOpen(entry);
              }}
            >
              <span className="tree-icon" aria-hidden="true">
                {isFolder ? (row.expanded ? '▾' : '▸') : '·'}
              </span>
              <span className="tree-name">{nameOf(entry.path)}</span>
              {isDirty ? (
                <span className="dirty-dot" aria-label="unsaved changes" role="img">
                  ●
                </span>
              ) : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}
