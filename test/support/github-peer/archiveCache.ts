import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

/** A body the peer streams (an archive, say), and how to stop making it when the client goes away. */
export interface ArchiveBody {
  readonly readable: Readable;
  abort(): void;
}

/** An archive made for this download only. */
export function madeOnRequest(child: ChildProcessWithoutNullStreams): ArchiveBody {
  child.stderr.resume();
  return { readable: child.stdout, abort: () => child.kill() };
}

/**
 * Codeload's cache: an archive it has made once is served again from storage, so making it (git's
 * gzip of every blob) is paid on the first download only, as on GitHub, where that CPU is not the
 * client's. The first download streams while the archive is being made and keeps a copy; the copy
 * counts only once `git archive` has exited cleanly, so a download cut short never leaves a torn one.
 * Requests that come while an archive is being made make their own.
 */
export class ArchiveCache {
  private readonly dir = mkdtempSync(join(tmpdir(), 'github-peer-archives-'));

  /** The archive under `key` (commit and prefix), from the cache or from `make`, keeping a copy. */
  open(key: string, make: () => ChildProcessWithoutNullStreams): ArchiveBody {
    const file = join(this.dir, `${key.replace(/[^0-9A-Za-z._-]/g, '_')}.tar.gz`);
    if (existsSync(file)) {
      const readable = createReadStream(file);
      return { readable, abort: () => readable.destroy() };
    }
    const child = make();
    child.stderr.resume();
    const partial = `${file}.${child.pid ?? 'x'}.part`;
    const copy = createWriteStream(partial);
    const body = new PassThrough();
    // The body ends once the copy is kept: a client that has the whole archive finds it cached.
    child.stdout.pipe(body, { end: false });
    child.stdout.pipe(copy);
    child.on('close', (code) => {
      copy.end(() => {
        if (code !== 0) {
          rmSync(partial, { force: true });
          return void body.destroy(new Error(`git archive exited with ${code}`));
        }
        renameSync(partial, file);
        body.end();
      });
    });
    return {
      readable: body,
      abort: () => {
        child.kill();
        body.destroy();
      },
    };
  }

  /** Deletes every kept archive. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
