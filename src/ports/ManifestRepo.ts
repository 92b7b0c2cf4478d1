import type { Scope } from '../domain/shared/Scope';
import type { Manifest } from '../domain/sync/Manifest';

/** Durable manifests: what each scope's folder holds, as of which commit, and whether that can be trusted. */
export interface ManifestRepo {
  getManifest(scope: Scope): Promise<Manifest | null>;
  /** Replaces the manifest as one atomic write; the saved manifest is clean (`dirty: false`). */
  saveManifest(manifest: Omit<Manifest, 'dirty'>): Promise<void>;
  /** Flags the current manifest (if any) as untrusted before a commit step starts. */
  markManifestDirty(scope: Scope): Promise<void>;
  deleteManifest(scope: Scope): Promise<void>;
}
