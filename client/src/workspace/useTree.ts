import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../api/ApiClient';
import type { TreeEntry } from '../api/types';
import { isWithin, nameOf } from './paths';

interface FolderState {
  readonly entries: readonly TreeEntry[] | null;
  readonly error: unknown;
}

/** One visible line of the tree: an entry, or a folder's loading / error / empty line. */
export type TreeRow =
  | { readonly kind: 'entry'; readonly entry: TreeEntry; readonly depth: number; readonly expanded: boolean }
  | { readonly kind: 'loading' | 'empty'; readonly folder: string; readonly depth: number }
  | { readonly kind: 'error'; readonly folder: string; readonly depth: number; readonly error: unknown };

function sortEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) =>
    a.kind === b.kind ? nameOf(a.path).localeCompare(nameOf(b.path)) : a.kind === 'directory' ? -1 : 1,
  );
}

/**
 * The scope's folders, loaded lazily: a folder's children are listed when it is first expanded, and
 * the visible rows are flattened for a virtualised list (10,000 entries stay cheap to render).
 */
export function useTree(api: ApiClient, scope: string) {
  const [folders, setFolders] = useState<ReadonlyMap<string, FolderState>>(new Map());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set(['']));
  const generation = useRef(0);

  const load = useCallback(
    async (folder: string) => {
      const started = generation.current;
      try {
        const entries = sortEntries(await api.tree(scope, folder));
        if (started === generation.current)
          setFolders((current) => new Map(current).set(folder, { entries, error: null }));
      } catch (error) {
        if (started === generation.current)
          setFolders((current) =>
            new Map(current).set(folder, { entries: current.get(folder)?.entries ?? null, error }),
          );
      }
    },
    [api, scope],
  );

  useEffect(() => {
    generation.current += 1;
    setFolders(new Map());
    setExpanded(new Set(['']));
    void load('');
  }, [load]);

  const toggle = useCallback(
    (folder: string, open?: boolean) => {
      setExpanded((current) => {
        const next = new Set(current);
        const opening = open ?? !current.has(folder);
        if (opening) next.add(folder);
        else next.delete(folder);
        return next;
      });
      if ((open ?? !expanded.has(folder)) && !folders.has(folder)) void load(folder);
    },
    [expanded, folders, load],
  );

  /** Reloads the folders that were loaded, e.g. after a change, keeping what is expanded. */
  const refresh = useCallback(
    async (within = '') => {
      const loaded = [...folders.keys()].filter((folder) => isWithin(folder, within) || folder === '');
      await Promise.all((loaded.length > 0 ? loaded : ['']).map((folder) => load(folder)));
    },
    [folders, load],
  );

  /** Opens every folder on the way to `path`, loading what is missing. */
  const reveal = useCallback(
    async (path: string) => {
      const parts = path.split('/');
      const chain = parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join('/'));
      setExpanded((current) => new Set([...current, ...chain]));
      await Promise.all(chain.filter((folder) => !folders.has(folder)).map((folder) => load(folder)));
    },
    [folders, load],
  );

  const rows = useMemo(() => {
    const out: TreeRow[] = [];
    const walk = (folder: string, depth: number) => {
      const state = folders.get(folder);
      if (!state || (state.entries === null && !state.error)) {
        out.push({ kind: 'loading', folder, depth });
        return;
      }
      if (state.error) out.push({ kind: 'error', folder, depth, error: state.error });
      if (!state.entries) return;
      if (state.entries.length === 0 && folder !== '') out.push({ kind: 'empty', folder, depth });
      for (const entry of state.entries) {
        const open = entry.kind === 'directory' && expanded.has(entry.path);
        out.push({ kind: 'entry', entry, depth, expanded: open });
        if (open) walk(entry.path, depth + 1);
      }
    };
    walk('', 0);
    return out;
  }, [folders, expanded]);

  const rootEmpty = folders.get('')?.entries?.length === 0;
  return { rows, rootEmpty, rootLoaded: folders.has(''), toggle, refresh, reveal, load };
}
