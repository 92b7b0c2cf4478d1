import type { FileEntry } from '../../ports/FileStore';
import type { Manifest } from './Manifest';

/** The folder as the manifest describes it, standing in for a listing when the manifest is trusted. */
export function filesOfManifest(manifest: Manifest): FileEntry[] {
  const modifiedAt = new Date(0);
  return [...manifest.entries].map(([path, entry]) => ({
    path,
    kind: 'file',
    size: entry.size,
    modifiedAt,
    executable: entry.mode === '100755',
  }));
}

/** Cheap verification that the folder still holds what the manifest says (no content reads). */
export function folderMatchesManifest(
  manifest: Manifest,
  present: readonly FileEntry[],
  executableBit: boolean,
): boolean {
  if (manifest.dirty) return false;
  const folders = new Set<string>();
  for (const path of manifest.entries.keys()) {
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1))
      folders.add(path.slice(0, cut));
  }
  let files = 0;
  for (const entry of present) {
    if (entry.kind === 'directory') {
      if (!folders.has(entry.path)) return false; // an extra folder the mirror would prune
      continue;
    }
    files++;
    const expected = manifest.entries.get(entry.path);
    if (!expected || expected.size !== entry.size) return false;
    if (executableBit && (expected.mode === '100755') !== entry.executable) return false;
  }
  return files === manifest.entries.size;
}
