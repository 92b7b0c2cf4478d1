import type { WorkspaceStatus } from '../api/types';
import { hrefFor, navigate } from '../app/router';
import { formatTime, shortSha } from '../ui/format';

/** Why nothing can be edited: the scope mirrors GitHub (with where from), or the caller may only read. */
export function ReadOnlyBanner({ status, canWrite }: { readonly status: WorkspaceStatus; readonly canWrite: boolean }) {
  const connection = status.connection;
  if (status.readOnly && connection) {
    const settings = hrefFor('/connection', status.scope);
    return (
      <div className="banner banner-info" role="note" aria-label="Read-only: managed by GitHub">
        <strong>Read-only — managed by GitHub.</strong> This scope mirrors <code>{connection.repository}</code> branch{' '}
        <code>{connection.branch}</code>
        {connection.subPath ? (
          <>
            {' '}
            folder <code>{connection.subPath}</code>
          </>
        ) : null}
        . Last synced commit <code>{shortSha(connection.lastSyncedCommit)}</code>
        {connection.lastSyncAt ? <> at {formatTime(connection.lastSyncAt)}</> : ' (not synced yet)'}
        {connection.enabled ? '' : ' · sync disabled'}. Change files on GitHub, or{' '}
        <a
          href={settings}
          onClick={(event) => {
            event.preventDefault();
            navigate(settings);
          }}
        >
          disconnect in the connection settings
        </a>{' '}
        to edit here.
      </div>
    );
  }
  if (!canWrite) {
    return (
      <div className="banner banner-info" role="note">
        <strong>Read-only.</strong> Your role may read this scope but not change it.
      </div>
    );
  }
  return null;
}
