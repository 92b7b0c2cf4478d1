import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SecretStore } from '../../ports/SecretStore';

type SecretsDocument = Record<string, unknown>;

interface Snapshot {
  /** Identity of the file version read: a rename gives a new inode, an edit a new mtime/size. */
  readonly version: string;
  readonly document: SecretsDocument;
}

const MISSING_VERSION = 'missing';

/**
 * Secrets in a local JSON file `{ "name": "value" }` (local runs: `./.data/secrets.json`). The
 * reference is the name. Reads are cached until the file changes (checked by stat, so another
 * instance's writes are seen); set and delete replace the file atomically (temp file + rename, mode
 * 0o600), keeping every other entry. Writes within one instance are serialised; two processes
 * writing at once may lose one update, which is acceptable for a single-user local store.
 */
export class FileSecretStore implements SecretStore {
  private readonly filePath: string;
  private snapshot: Snapshot | null = null;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(filePath: string) {
    this.filePath = path.resolve(filePath);
  }

  async get(ref: string): Promise<string | null> {
    const { document } = await this.load();
    if (!Object.hasOwn(document, ref)) return null;
    const value = document[ref];
    return typeof value === 'string' ? value : null;
  }

  set(name: string, value: string): Promise<string> {
    if (name === '') return Promise.reject(new Error('a secret needs a non-empty name'));
    return this.update((document) => ({ ...document, [name]: value })).then(() => name);
  }

  delete(ref: string): Promise<void> {
    return this.update((document) => {
      if (!Object.hasOwn(document, ref)) return null; // nothing to rewrite
      const { [ref]: _removed, ...rest } = document;
      return rest;
    });
  }

  locate(ref: string): string {
    return `key '${ref}' of the secrets file ${this.filePath} (SECRET_STORE=file)`;
  }

  /** Serialises read-modify-write cycles of this instance; `change` answers null to leave the file be. */
  private update(change: (document: SecretsDocument) => SecretsDocument | null): Promise<void> {
    const written = this.writes.then(async () => {
      const updated = change((await this.load()).document);
      if (updated !== null) await this.write(updated);
    });
    this.writes = written.catch(() => undefined); // one failed write must not block the next
    return written;
  }

  private async write(updated: SecretsDocument): Promise<void> {
    const folder = path.dirname(this.filePath);
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    // Same folder as the target, so the rename is atomic; 'wx' so we never reuse someone's file.
    const temp = path.join(folder, `.${path.basename(this.filePath)}.${randomUUID()}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.chmod(0o600); // open's mode passes through the umask; make it exact
        await handle.writeFile(`${JSON.stringify(updated, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.filePath);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    this.snapshot = null;
  }

  /**
   * A file made by hand is often 0o644: take group and world access away, as for the files this
   * store writes. Best effort (another user's file, or a volume without modes, stays as it is);
   * chmod changes neither the mtime nor the inode, so the cached version stays valid.
   */
  private async closeToOthers(): Promise<void> {
    const stats = await fs.stat(this.filePath).catch(() => null);
    if (stats !== null && (stats.mode & 0o077) !== 0) await fs.chmod(this.filePath, 0o600).catch(() => undefined);
  }

  private async load(): Promise<Snapshot> {
    const version = await this.currentVersion();
    if (this.snapshot?.version === version) return this.snapshot;
    const document = version === MISSING_VERSION ? {} : await this.readDocument();
    this.snapshot = { version, document };
    return this.snapshot;
  }

  private async currentVersion(): Promise<string> {
    try {
      const stats = await fs.stat(this.filePath, { bigint: true });
      return `${stats.dev}:${stats.ino}:${stats.mtimeNs}:${stats.size}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return MISSING_VERSION;
      throw error;
    }
  }

  private async readDocument(): Promise<SecretsDocument> {
    let raw: string;
    try {
      raw = await fs.readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    await this.closeToOthers();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // No cause and no detail: V8's JSON errors quote the text around the fault, i.e. secrets.
      throw new Error(`secrets file '${this.filePath}' is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`secrets file '${this.filePath}' must hold a JSON object of name -> value`);
    }
    return parsed as SecretsDocument;
  }
}
