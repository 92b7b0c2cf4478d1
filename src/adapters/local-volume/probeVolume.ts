import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface VolumeTraits {
  /** Whether `A` and `a` name two different files on this volume. */
  readonly caseSensitive: boolean;
  /**
   * Whether a file created with mode 0o755 actually gets 0o755. When the process umask strips
   * bits, each write needs an explicit chmod; otherwise we save that system call per file.
   */
  readonly createModeIsExact: boolean;
}

/**
 * Learns how the volume behaves by trying it, not by guessing from the platform: a Linux
 * container may mount a case-insensitive SMB share (Azure Files), and umask varies by host.
 */
export async function probeVolume(scratchFolder: string): Promise<VolumeTraits> {
  const name = `case-probe-${randomUUID()}`;
  const probe = path.join(scratchFolder, name);
  await fs.writeFile(probe, '', { mode: 0o755, flag: 'wx' });
  try {
    const [created, upperCased] = await Promise.all([
      fs.stat(probe),
      fs.stat(path.join(scratchFolder, name.toUpperCase())).catch(() => null),
    ]);
    return {
      caseSensitive: upperCased === null,
      createModeIsExact: (created.mode & 0o777) === 0o755,
    };
  } finally {
    await fs.rm(probe, { force: true });
  }
}
