import { type Scope, scopeFolder } from '../../shared/Scope';

/** Where staged downloads wait before the commit step moves them into the scope folder. */
const STAGING_ROOT = '.workspace-sync/staging';

/** The scope's staging folder, named so that it cannot collide between scopes. */
export function scopeStagingFolder(scope: Scope): string {
  return `${STAGING_ROOT}/${scopeFolder(scope).replace('/', '-')}`;
}

/** Where one run stages its downloads. */
export function runStagingFolder(scope: Scope, runId: string): string {
  return `${scopeStagingFolder(scope)}/${runId}`;
}
