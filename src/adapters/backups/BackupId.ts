import { randomBytes } from 'node:crypto';
import { parseScope, SCOPE_NAME_PATTERN, type Scope } from '../../domain/shared/Scope';

// <UTC time to the millisecond>.<scope>.<12 hex>: sorts by time, names its scope, and holds only
// characters that are safe in a URL path segment and a file name on every volume. The scope cannot
// contain '.', so the three parts never run into each other.
const BACKUP_ID = new RegExp(`^(\\d{8}T\\d{9}Z)\\.(${SCOPE_NAME_PATTERN.source})\\.([0-9a-f]{12})$`);

export interface BackupIdParts {
  readonly scope: Scope;
  readonly createdAt: Date;
}

/** A new, unique id for a backup of `scope` taken at `createdAt`. */
export function newBackupId(scope: Scope, createdAt: Date): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  return `${stamp}.${scope}.${randomBytes(6).toString('hex')}`;
}

/** The scope and time an id names, or null when it is not an id this adapter would make. */
export function parseBackupId(id: string): BackupIdParts | null {
  const match = BACKUP_ID.exec(id);
  if (match === null) return null;
  const [, stamp = '', scopeName = ''] = match;
  const scope = parseScope(scopeName);
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  const createdAt = new Date(iso);
  // A date that does not print back the same (month 13, 25 o'clock) is not one we wrote.
  if (scope === null || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return null;
  return { scope, createdAt };
}
