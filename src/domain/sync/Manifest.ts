import type { GitMode } from '../../ports/SourceRepository';
import type { Scope } from '../shared/Scope';
import type { TreeState } from './TreeState';

/** What the scope's folder holds as of the last sync, keyed by scope-relative path. */
export interface ManifestEntry {
  readonly sha: string;
  readonly size: number;
  readonly mode: GitMode;
}

export interface Manifest {
  readonly scope: Scope;
  readonly commitSha: string;
  readonly entries: ReadonlyMap<string, ManifestEntry>;
  /**
   * True while a commit step is (or was, if the process died) moving files into place: the folder
   * may then differ from `entries`, so the next run must not trust them.
   */
  readonly dirty: boolean;
  /** The source tree `entries` were planned from, when the sync kept it: the next one lists only what changed. */
  readonly tree?: TreeState;
}
