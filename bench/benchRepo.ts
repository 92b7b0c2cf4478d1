import type { RepoFile } from '../test/support/gitRepo';

/** Deterministic pseudo-random bytes (xorshift32), so every run builds the same repository. */
function* randomBytes(seed: number): Generator<number> {
  let x = seed || 1;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) & 0xff;
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz      ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=()[]{}:;.,\n';

/** Script-like text: random words from a small alphabet, compressible about as well as code is. */
function scriptText(size: number, seed: number): string {
  const random = randomBytes(seed);
  // Built as bytes, not by appending characters: 50,000 such strings as ropes run out of heap.
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = ALPHABET.charCodeAt(random.next().value! % ALPHABET.length);
  return bytes.toString('latin1');
}

function binary(size: number, seed: number): Uint8Array {
  const random = randomBytes(seed);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = random.next().value!;
  return bytes;
}

/** 10,000 files (~100 MB) by default: nested folders of scripts, some binaries and a few large files. */
export function benchFiles(count = 10_000, largeCount = 20): RepoFile[] {
  const files: RepoFile[] = [];
  for (let i = 0; i < count; i++) {
    const folder = `team-${i % 10}/area-${Math.floor(i / 10) % 25}/module-${Math.floor(i / 250) % 8}`;
    if (i < largeCount) files.push({ path: `${folder}/large-${i}.bin`, content: binary(1_000_000, i + 1) });
    else if (i % 10 === 0) files.push({ path: `${folder}/asset-${i}.dat`, content: binary(8_000, i + 1) });
    else files.push({ path: `${folder}/script-${i}.py`, content: scriptText(8_000, i + 1), executable: i % 17 === 0 });
  }
  return files;
}

/** The same paths with new content for `changed` of them. */
export function changedFiles(files: readonly RepoFile[], changed: number, round: number): RepoFile[] {
  const step = Math.floor(files.length / changed);
  return Array.from({ length: changed }, (_, k) => {
    const file = files[k * step + 1]!;
    return { ...file, content: scriptText(8_000, 1_000_000 + round * 100 + k) };
  });
}
