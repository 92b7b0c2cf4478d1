import type { PlannedEntry } from './planArchive';
import { ZIP32_MAX_BYTES, ZIP32_MAX_ENTRIES } from './ZipWriter';

/**
 * Whether the plan may pass the limits of a zip without Zip64: the entry count, or offsets near
 * 4 GB counting each file at its listed size, the worst growth of deflate and the records around it.
 */
export function needsZip64(planned: readonly PlannedEntry[]): boolean {
  if (planned.length > ZIP32_MAX_ENTRIES) return true;
  let bytes = 22;
  for (const { name, entry } of planned) {
    const content = entry.kind === 'file' ? entry.size : 0;
    bytes += content + Math.ceil(content / 1000) + 64 + 2 * (Buffer.byteLength(name) + 64);
  }
  return bytes > ZIP32_MAX_BYTES;
}
