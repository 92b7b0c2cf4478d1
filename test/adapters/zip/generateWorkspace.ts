import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface GeneratedWorkspace {
  readonly files: number;
  readonly bytes: number;
  /** Store paths of the files written with the executable bit. */
  readonly executables: readonly string[];
  /** Store path of the folder left empty on purpose. */
  readonly emptyFolder: string;
}

/** xorshift32: deterministic, so every run zips the same workspace. */
function fillRandom(bytes: Uint8Array, seed: number): void {
  let x = seed | 0 || 1;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < bytes.byteLength; i++) bytes[i] = (x >>> (8 * (i % 4))) & 0xff;
}

const KEYWORDS = [
  'def',
  'return',
  'if',
  'else',
  'for',
  'in',
  'import',
  'from',
  'class',
  'self',
  'None',
  'True',
  '=',
  '(',
  ')',
  ':',
  '+',
  '"',
  'param',
  '$env:',
];

/** A vocabulary of keywords and made-up identifiers, so text compresses about as well as scripts do. */
function vocabulary(): string[] {
  const words = [...KEYWORDS];
  const letters = new Uint8Array(4 * 240);
  fillRandom(letters, 7);
  for (let i = 0; i < 240; i++) {
    const length = 3 + (letters[i * 4]! % 10);
    let word = '';
    for (let k = 0; k < length; k++)
      word += String.fromCharCode(97 + ((letters[(i * 4 + k) % letters.length]! + k * 7) % 26));
    words.push(i % 3 === 0 ? `${word}_${i}` : word);
  }
  return words;
}

const WORDS = vocabulary().map((word) => Buffer.from(word));

function scriptText(size: number, seed: number): Uint8Array {
  const picks = new Uint8Array(size);
  fillRandom(picks, seed);
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; at < size; i++) {
    const pick = picks[i % size]!;
    const word = WORDS[pick % WORDS.length]!;
    at += word.copy(out, at);
    if (at < size) out[at++] = pick % 9 === 0 ? 0x0a : 0x20;
  }
  return out;
}

function binary(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  fillRandom(bytes, seed);
  return bytes;
}

/** An old, distinct time for some files, so a lost modification time shows up. */
export const OLD_MTIME = new Date('2021-03-04T05:06:07Z');

/**
 * Writes a script workspace of `count` files (~50 MB for 5,000) under `root`: script-like text of
 * 1-12 kB in nested folders, one in ten incompressible binaries, a few large files (text and
 * binary), executables, an empty file, an empty folder and old modification times on some files.
 */
export async function generateWorkspace(root: string, count = 5_000): Promise<GeneratedWorkspace> {
  const executables: string[] = [];
  let bytes = 0;
  const folders = new Set<string>();
  const write = async (path: string, content: Uint8Array, executable: boolean, old: boolean): Promise<void> => {
    const full = join(root, path);
    const folder = dirname(full);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    await writeFile(full, content);
    await chmod(full, executable ? 0o755 : 0o644); // exact, whatever the umask
    if (old) await utimes(full, OLD_MTIME, OLD_MTIME);
    bytes += content.byteLength;
  };
  const large = Math.max(1, Math.round(count / 625)); // 8 for 5,000
  const lanes = 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) {
        const i = next++;
        const folder = `team-${i % 8}/area-${Math.floor(i / 8) % 12}/module-${Math.floor(i / 96) % 4}`;
        const old = i % 100 === 1;
        if (i < large) {
          const content = i % 2 === 0 ? binary(2_000_000, i + 1) : scriptText(2_000_000, i + 1);
          await write(`${folder}/large-${i}.${i % 2 === 0 ? 'bin' : 'txt'}`, content, false, old);
        } else if (i % 10 === 0) {
          await write(`${folder}/asset-${i}.dat`, binary(4_000 + ((i * 7_919) % 8_000), i + 1), false, old);
        } else if (i === large + 1) {
          await write(`${folder}/empty-${i}.txt`, new Uint8Array(0), false, old);
        } else {
          const executable = i % 17 === 0;
          const path = `${folder}/script-${i}.${executable ? 'sh' : 'py'}`;
          if (executable) executables.push(path);
          await write(path, scriptText(1_000 + ((i * 7_919) % 11_500), i + 1), executable, old);
        }
      }
    }),
  );
  const emptyFolder = 'team-0/empty-folder';
  await mkdir(join(root, emptyFolder), { recursive: true });
  return { files: count, bytes, executables: executables.sort(), emptyFolder };
}
