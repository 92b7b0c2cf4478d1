import type { ManifestEntry } from '../../domain/sync/Manifest';

/** What a save changes in a stored manifest: the entries added or changed, and the paths removed. */
export interface ManifestChanges {
  readonly changed: ReadonlyMap<string, ManifestEntry>;
  readonly removed: readonly string[];
}

export function manifestChanges(
  stored: ReadonlyMap<string, ManifestEntry>,
  next: ReadonlyMap<string, ManifestEntry>,
): ManifestChanges {
  const changed = new Map<string, ManifestEntry>();
  let kept = 0; // paths of `next` that `stored` has too
  for (const [path, entry] of next) {
    const before = stored.get(path);
    if (before !== undefined) kept += 1;
    // The planners carry unchanged entries over as the very same objects: most comparisons end here.
    if (before === entry) continue;
    if (before === undefined || before.sha !== entry.sha || before.mode !== entry.mode || before.size !== entry.size)
      changed.set(path, entry);
  }
  const removed: string[] = [];
  if (kept !== stored.size) {
    for (const path of stored.keys()) if (!next.has(path)) removed.push(path);
  }
  return { changed, removed };
}
