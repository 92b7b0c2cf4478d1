import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_IN_THREAD_SOURCE, threadReadPath } from '../../../src/adapters/local-volume/readInThread';

type ReadInThread = (fs: typeof nodeFs, absolute: string, largest: number) => Uint8Array | null;

/** The function as a worker evaluates it, here in the test's own thread. */
const readInThread = new Function(`${READ_IN_THREAD_SOURCE}\nreturn readInThread;`)() as ReadInThread;

const LARGEST = 1024 * 1024;

// The thread checks where the kernel says the opened file is (/proc/self/fd): Linux only.
describe.runIf(process.platform === 'linux')('reading a store file on a worker thread', () => {
  let work: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'read-in-thread-')));
    root = path.join(work, 'store');
    outside = path.join(work, 'outside');
    await fs.mkdir(path.join(root, 'orgs', 'a'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'not the store');
  });

  afterEach(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  const read = (storePath: string): Uint8Array | null => {
    const absolute = threadReadPath(root, storePath);
    if (absolute === null) throw new Error(`no thread path for ${storePath}`);
    return readInThread(nodeFs, absolute, LARGEST);
  };

  it('reads a file byte for byte, and an empty one as empty', async () => {
    const content = Buffer.alloc(300_000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    await fs.writeFile(path.join(root, 'orgs', 'a', 'data.bin'), content);
    await fs.writeFile(path.join(root, 'orgs', 'a', 'empty.txt'), '');
    expect(Buffer.from(read('orgs/a/data.bin') ?? []).equals(content)).toBe(true);
    expect(read('orgs/a/empty.txt')).toEqual(new Uint8Array(0));
  });

  it('does not read a link, even to a file of the store', async () => {
    await fs.writeFile(path.join(root, 'orgs', 'a', 'real.txt'), 'inside');
    await fs.symlink('real.txt', path.join(root, 'orgs', 'a', 'to-real.txt'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'orgs', 'a', 'secret.txt'));
    expect(read('orgs/a/to-real.txt')).toBeNull();
    expect(read('orgs/a/secret.txt')).toBeNull();
  });

  it('does not read through a folder that is a link, though a file of that name is there', async () => {
    await fs.rm(path.join(root, 'orgs', 'a'), { recursive: true });
    await fs.symlink(outside, path.join(root, 'orgs', 'a'));
    expect(nodeFs.readFileSync(path.join(root, 'orgs', 'a', 'secret.txt'), 'utf8')).toBe('not the store');
    expect(read('orgs/a/secret.txt')).toBeNull();
  });

  it('leaves folders, FIFOs and files past the largest size to the store, without waiting on a FIFO', async () => {
    execFileSync('mkfifo', [path.join(root, 'orgs', 'a', 'pipe')]);
    await fs.writeFile(path.join(root, 'orgs', 'a', 'big.bin'), Buffer.alloc(LARGEST + 1));
    expect(read('orgs/a')).toBeNull();
    expect(read('orgs/a/pipe')).toBeNull();
    expect(read('orgs/a/big.bin')).toBeNull();
    expect(read('orgs/a/missing.txt')).toBeNull();
  });

  it('gives no thread path out of the root, for the root, or into the private temp folder', () => {
    expect(threadReadPath(root, '../outside/secret.txt')).toBeNull();
    expect(threadReadPath(root, '/etc/passwd')).toBeNull();
    expect(threadReadPath(root, '')).toBeNull();
    expect(threadReadPath(root, '.workspace-sync/tmp/x.tmp')).toBeNull();
    expect(threadReadPath(root, 'orgs/a/b.txt')).toBe(path.join(root, 'orgs', 'a', 'b.txt'));
  });
});
