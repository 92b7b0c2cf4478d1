import type { FileEntry, FileStore } from '../../ports/FileStore';
import type { Manifest } from '../sync/Manifest';
import { plannedEntry, type SyncPlan } from '../sync/SyncPlan';
import { pathKey } from './PathKey';
import { joinScopePath } from './PathPolicy';

const encoder = new TextEncoder();

/** The git blob SHA-1 of some bytes, as GitHub names file contents. */
async function gitBlobSha(content: Uint8Array): Promise<string> {
  const header = encoder.encode(`blob ${content.byteLength}\0`);
  const object = new Uint8Array(header.byteLength + content.byteLength);
  object.set(header, 0);
  object.set(content, header.byteLength);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', object));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Files the plan would overwrite or delete whose bytes would be lost: they match neither the blob
 * the manifest says a sync wrote there nor the incoming one (a file already carrying the incoming
 * blob is a commit step a crash cut short, or a folder that already holds the branch: nothing lost).
 */
export async function handEditedFiles(input: {
  readonly files: FileStore;
  readonly folder: string;
  readonly plan: SyncPlan;
  readonly manifest: Manifest | null;
  readonly present: readonly FileEntry[];
}): Promise<string[]> {
  const { files, folder, plan, manifest } = input;
  const caseSensitive = files.capabilities.caseSensitive;
  const presentFiles = new Map(
    input.present
      .filter((entry) => entry.kind === 'file')
      .map((entry) => [pathKey(entry.path, caseSensitive), entry.path]),
  );
  const known = new Map(
    [...(manifest?.entries ?? new Map())].map(([path, entry]) => [pathKey(path, caseSensitive), entry.sha]),
  );
  const candidates = [
    ...[...plan.writes, ...plan.lateWrites].map((path) => ({
      key: pathKey(path, caseSensitive),
      incoming: plannedEntry(plan, path).sha as string | undefined,
    })),
    ...plan.deletes.map((path) => ({ key: pathKey(path, caseSensitive), incoming: undefined })),
  ];
  const edited: string[] = [];
  for (const { key, incoming } of candidates) {
    const path = presentFiles.get(key);
    if (path === undefined) continue; // nothing there to lose
    const content = await files.read(joinScopePath(folder, path));
    if (content === null) continue;
    const sha = await gitBlobSha(content);
    if (sha !== known.get(key) && sha !== incoming) edited.push(path);
  }
  return edited.sort();
}
