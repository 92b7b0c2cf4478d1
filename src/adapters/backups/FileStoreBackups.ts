import { z } from 'zod';
import { forEachConcurrently } from '../../domain/shared/forEachConcurrently';
import { type Scope, scopeFolder } from '../../domain/shared/Scope';
import type { Clock } from '../../ports/Clock';
import type { FileStore } from '../../ports/FileStore';
import type { WorkspaceArchiver } from '../../ports/WorkspaceArchiver';
import type { BackupInfo, OpenedBackup, WorkspaceBackups } from '../../ports/WorkspaceBackups';
import { newBackupId, parseBackupId } from './BackupId';

export interface FileStoreBackupsOptions {
  /** Packs folders of the workspace. */
  readonly archiver: WorkspaceArchiver;
  /** Where backups are kept: a store of their own, or the workspace store under its private folder. */
  readonly store: FileStore;
  /** Folder of `store` that holds the backups ('' = its root). */
  readonly folder: string;
  readonly clock: Clock;
  /** Backups kept per scope; older ones are deleted after each new one. Default: all. */
  readonly keepPerScope?: number;
}

const ARCHIVE = '.zip';
const SIDECAR = '.json';
const SIDECAR_READS_IN_FLIGHT = 8;

/** What a backup's sidecar holds; the id repeats the scope and time, so a mismatch is caught. */
const sidecarSchema = z.object({
  id: z.string(),
  scope: z.string(),
  createdAt: z.iso.datetime(),
  reason: z.string(),
  size: z.number().int().nonnegative(),
});

/**
 * Backups as files of a FileStore: `<id>.zip`, the archive, and `<id>.json`, a small sidecar with
 * the reason and size. Both are written atomically, the sidecar last: it is the commit mark, and a
 * backup counts only when both files are there, so a failed or interrupted create is never listed.
 */
export class FileStoreBackups implements WorkspaceBackups {
  private readonly archiver: WorkspaceArchiver;
  private readonly store: FileStore;
  private readonly folder: string;
  private readonly clock: Clock;
  private readonly keepPerScope: number;

  constructor(options: FileStoreBackupsOptions) {
    this.archiver = options.archiver;
    this.store = options.store;
    this.folder = options.folder.replace(/^\/+|\/+$/g, '');
    this.clock = options.clock;
    this.keepPerScope = options.keepPerScope ?? Number.POSITIVE_INFINITY;
    if (!(this.keepPerScope >= 1)) throw new Error(`keepPerScope must be at least 1, got ${options.keepPerScope}`);
  }

  async create(scope: Scope, reason: string): Promise<BackupInfo> {
    const createdAt = this.clock.now();
    const id = newBackupId(scope, createdAt);
    const archive = this.pathOf(id, ARCHIVE);
    const counter = { bytes: 0 };
    await this.store.write(
      archive,
      counted(this.archiver.zip([{ storePath: scopeFolder(scope), nameInArchive: '' }]), counter),
    );
    const info: BackupInfo = { id, scope, createdAt, reason, size: counter.bytes };
    try {
      await this.store.write(this.pathOf(id, SIDECAR), encodeSidecar(info));
    } catch (error) {
      await this.store.delete(archive).catch(() => undefined); // unlisted anyway; this only saves space
      throw error;
    }
    await this.prune(scope);
    return info;
  }

  /** Deletes the scope's backups beyond the newest `keepPerScope`; the sidecar first, so none is ever listed half-gone. */
  private async prune(scope: Scope): Promise<void> {
    if (!Number.isFinite(this.keepPerScope)) return;
    for (const old of (await this.list(scope)).slice(this.keepPerScope)) {
      await this.store.delete(this.pathOf(old.id, SIDECAR));
      await this.store.delete(this.pathOf(old.id, ARCHIVE));
    }
  }

  async list(scope?: Scope): Promise<BackupInfo[]> {
    const archives = new Set<string>();
    const sidecars: string[] = [];
    for (const entry of await this.store.list(this.folder)) {
      if (entry.kind !== 'file') continue;
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      if (name.endsWith(ARCHIVE)) archives.add(name.slice(0, -ARCHIVE.length));
      else if (name.endsWith(SIDECAR)) sidecars.push(name.slice(0, -SIDECAR.length));
    }
    const wanted = sidecars.filter((id) => {
      const parts = parseBackupId(id);
      return parts !== null && archives.has(id) && (scope === undefined || parts.scope === scope);
    });
    const infos: BackupInfo[] = [];
    await forEachConcurrently(wanted, SIDECAR_READS_IN_FLIGHT, async (id) => {
      const info = await this.readInfo(id);
      if (info !== null) infos.push(info);
    });
    return infos.sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
  }

  async open(id: string): Promise<OpenedBackup | null> {
    if (parseBackupId(id) === null) return null; // also keeps anything path-like away from the store
    const info = await this.readInfo(id);
    if (info === null) return null;
    const content = await this.store.readStream(this.pathOf(id, ARCHIVE));
    return content === null ? null : { info, content };
  }

  /** The sidecar's record, or null when it is missing or does not describe this id. */
  private async readInfo(id: string): Promise<BackupInfo | null> {
    const parts = parseBackupId(id);
    const bytes = await this.store.read(this.pathOf(id, SIDECAR));
    if (parts === null || bytes === null) return null;
    let parsed: z.infer<typeof sidecarSchema>;
    try {
      parsed = sidecarSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      return null; // not a sidecar we wrote: the backup is not there
    }
    if (
      parsed.id !== id ||
      parsed.scope !== parts.scope ||
      new Date(parsed.createdAt).getTime() !== parts.createdAt.getTime()
    ) {
      return null;
    }
    return { id, scope: parts.scope, createdAt: parts.createdAt, reason: parsed.reason, size: parsed.size };
  }

  private pathOf(id: string, extension: string): string {
    return this.folder === '' ? `${id}${extension}` : `${this.folder}/${id}${extension}`;
  }
}

async function* counted(chunks: AsyncIterable<Uint8Array>, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    counter.bytes += chunk.byteLength;
    yield chunk;
  }
}

function encodeSidecar(info: BackupInfo): Uint8Array {
  const record: z.infer<typeof sidecarSchema> = {
    id: info.id,
    scope: info.scope,
    createdAt: info.createdAt.toISOString(),
    reason: info.reason,
    size: info.size,
  };
  return new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`);
}
