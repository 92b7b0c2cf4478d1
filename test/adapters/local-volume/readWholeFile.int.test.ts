import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDescriptorForReading } from '../../../src/adapters/local-volume/openForReading';
import { readWholeFile } from '../../../src/adapters/local-volume/readWholeFile';
import { resolveInsideRoot } from '../../../src/adapters/local-volume/resolveInsideRoot';

describe('reading an opened file whole (the size known from opening it)', () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'read-whole-')));
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const opened = async (name: string) => {
    const file = await openDescriptorForReading(root, resolveInsideRoot(root, name));
    if (file === null) throw new Error(`${name} did not open`);
    return file;
  };

  it('reads a file larger than one read call returns, byte for byte', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    await fs.writeFile(path.join(root, 'big.bin'), content);
    expect(Buffer.from(await readWholeFile(await opened('big.bin'))).equals(content)).toBe(true);
  });

  it('stops at the size seen when it was opened, as FileHandle.readFile does, when the file grows', async () => {
    await fs.writeFile(path.join(root, 'log.txt'), 'first');
    const file = await opened('log.txt');
    await fs.appendFile(path.join(root, 'log.txt'), ' and more');
    expect(Buffer.from(await readWholeFile(file)).toString()).toBe('first');
  });

  it('answers what is left when the file shrank after it was opened', async () => {
    await fs.writeFile(path.join(root, 'cut.txt'), 'long content');
    const file = await opened('cut.txt');
    await fs.truncate(path.join(root, 'cut.txt'), 4);
    expect(Buffer.from(await readWholeFile(file)).toString()).toBe('long');
  });
});
