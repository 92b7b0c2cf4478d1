import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXECUTABLE_MODE, FILE_MODE } from './modes';

export interface VolumeTraits {
  /** Whether `A` and `a` name two different files on this volume. */
  readonly caseSensitive: boolean;
  /**
   * Whether a file created with EXECUTABLE_MODE (the widest mode the store creates) actually gets
   * it. When the process umask strips bits, each write needs an explicit chmod; otherwise we save
   * that system call per file.
   */
  readonly createModeIsExact: boolean;
  /**
   * Whether a mode change sticks. On an Azure Files SMB mount the mount options fix every mode and
   * chmod is accepted and ignored: there no executable bit can be kept, compared or promised, and
   * a chmod is a wasted round trip.
   */
  readonly modesStick: boolean;
}

/** The one call whose effect the probe checks; the volume's own unless a test stands in for it. */
export interface ModeCalls {
  chmod(file: string, mode: number): Promise<void>;
}

/**
 * Learns how the volume behaves by trying it, not by guessing from the platform: a Linux
 * container may mount a case-insensitive SMB share (Azure Files), and umask varies by host.
 */
export async function probeVolume(scratchFolder: string, calls: ModeCalls = fs): Promise<VolumeTraits> {
  const name = `case-probe-${randomUUID()}`;
  const probe = path.join(scratchFolder, name);
  await fs.writeFile(probe, '', { mode: EXECUTABLE_MODE, flag: 'wx' });
  try {
    const [created, upperCased] = await Promise.all([
      fs.stat(probe),
      fs.stat(path.join(scratchFolder, name.toUpperCase())).catch(() => null),
    ]);
    // Flip the owner's executable bit, whichever way it came out, and look whether it flipped.
    const wasExecutable = (created.mode & 0o100) !== 0;
    await calls.chmod(probe, wasExecutable ? FILE_MODE : EXECUTABLE_MODE);
    const changed = await fs.stat(probe);
    return {
      caseSensitive: upperCased === null,
      createModeIsExact: (created.mode & 0o777) === EXECUTABLE_MODE,
      modesStick: ((changed.mode & 0o100) !== 0) !== wasExecutable,
    };
  } finally {
    await fs.rm(probe, { force: true });
  }
}
