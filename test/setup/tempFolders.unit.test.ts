import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('per-file temporary folder', () => {
  it('is where tmpdir() points while the file runs, for this process and its children', () => {
    expect(basename(tmpdir())).toMatch(/^wsync-test-[0-9a-f]{8}-/);
    const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], {
      encoding: 'utf8',
    });
    expect(child).toBe(tmpdir());
  });
});
