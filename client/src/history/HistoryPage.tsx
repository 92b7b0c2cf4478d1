import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { SyncRun } from '../api/types';
import { useApp } from '../app/AppContext';
import { Empty, ErrorMessage, Loading } from '../ui/Feedback';
import { formatBytes, formatDuration, formatTime, saveBlob, shortSha } from '../ui/format';

const PAGE = 25;
const RUNNING_REFRESH_MS = 2_000;
const IDLE_REFRESH_MS = 5_000;

/** The scope's sync runs, newest first; follows running ones until they finish. */
export function HistoryPage() {
  const { api, scope } = useApp();
  const [runs, setRuns] = useState<readonly SyncRun[] | null>(null);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  /** Once older pages are loaded, `next` belongs to them: reloading the first page must not move it back. */
  const paged = useRef(false);

  const load = useCallback(async () => {
    try {
      const page = await api.syncRuns({ scope: scope.scope, limit: PAGE });
      setRuns((current) => {
        // Keep older pages the user loaded; replace the newest page.
        const older = (current ?? []).slice(PAGE).filter((run) => !page.items.some((fresh) => fresh.id === run.id));
        return [...page.items, ...older];
      });
      if (!paged.current) setNext(page.continuationToken);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }, [api, scope.scope]);
  useEffect(() => void load(), [load]);

  const running = runs?.some((run) => run.status === 'running') ?? false;
  // Fast while a run is running; slower otherwise, so a sync queued by a push, a connect or a
  // replay shows up without a reload (its run record appears only once a worker starts it).
  // Hidden tabs do not poll.
  useEffect(() => {
    const timer = setInterval(
      () => {
        if (document.visibilityState === 'visible') void load();
      },
      running ? RUNNING_REFRESH_MS : IDLE_REFRESH_MS,
    );
    return () => clearInterval(timer);
  }, [running, load]);

  async function loadMore() {
    if (!next) return;
    try {
      const page = await api.syncRuns({ scope: scope.scope, limit: PAGE, continuationToken: next });
      paged.current = true;
      setRuns((current) => [
        ...(current ?? []),
        ...page.items.filter((run) => !current?.some((shown) => shown.id === run.id)),
      ]);
      setNext(page.continuationToken);
    } catch (failure) {
      setError(failure);
    }
  }

  async function downloadBackup(id: string) {
    try {
      const backup = await api.downloadBackup(scope.scope, id);
      saveBlob(backup.blob, backup.fileName);
    } catch (failure) {
      setError(failure);
    }
  }

  const backupButton = (id: string) => (
    <>
      {' · '}
      <button
        type="button"
        className="link-button"
        title="Download the backup (zip) taken before this run replaced hand edits"
        onClick={() => void downloadBackup(id)}
      >
        Backup
      </button>
    </>
  );

  return (
    <main className="page">
      <h1>Sync history · {scope.scope}</h1>
      <div className="form-actions">
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        {running ? (
          <span role="status" className="loading">
            <span className="spinner" aria-hidden="true" /> a sync is running; refreshing every 2 s
          </span>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {runs === null ? (
        <Loading />
      ) : runs.length === 0 ? (
        <Empty>No syncs yet for this scope.</Empty>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Sync runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Commit</th>
              <th scope="col">Written</th>
              <th scope="col">Deleted</th>
              <th scope="col">Unchanged</th>
              <th scope="col">Skipped</th>
              <th scope="col">Duration</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <Fragment key={run.id}>
                <tr data-run={run.id}>
                  <td className="nowrap">{formatTime(run.startedAt)}</td>
                  <td>
                    <span className={`badge badge-${run.status}`}>{run.status}</span>
                    {run.error ? (
                      <span className="run-outcome">
                        {run.error.code}
                        {run.queueOutcome ? ` · ${run.queueOutcome.action}` : ''}
                      </span>
                    ) : null}
                  </td>
                  <td>{run.trigger}</td>
                  <td>
                    <code title={run.commitSha}>{shortSha(run.commitSha)}</code>
                  </td>
                  <td>{run.counts.written}</td>
                  <td>{run.counts.deleted}</td>
                  <td>{run.counts.unchanged}</td>
                  <td>{run.counts.skipped}</td>
                  <td className="nowrap">{formatDuration(run.durationMs)}</td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      aria-expanded={open === run.id}
                      onClick={() => setOpen(open === run.id ? null : run.id)}
                    >
                      {run.error ? 'Error' : 'More'}
                    </button>
                    {run.backupId ? backupButton(run.backupId) : null}
                  </td>
                </tr>
                {open === run.id ? (
                  <tr className="details-row">
                    <td colSpan={10}>
                      <RunDetails run={run} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {next ? (
        <button type="button" onClick={() => void loadMore()}>
          Load older runs
        </button>
      ) : null}
    </main>
  );
}

function RunDetails({ run }: { readonly run: SyncRun }) {
  return (
    <dl className="facts">
      <dt>Run</dt>
      <dd>
        <code>{run.id}</code> (delivery <code>{run.deliveryId}</code>)
      </dd>
      {run.fromCommit ? (
        <>
          <dt>From</dt>
          <dd>
            <code>{shortSha(run.fromCommit)}</code> → <code>{shortSha(run.commitSha)}</code>
          </dd>
        </>
      ) : null}
      <dt>Bytes written</dt>
      <dd>{formatBytes(run.counts.bytesWritten)}</dd>
      <dt>GitHub requests</dt>
      <dd>{run.sourceRequests}</dd>
      {run.error ? (
        <>
          <dt>Error</dt>
          <dd>
            <strong>{run.error.code}</strong>: {run.error.message} {run.error.retryable ? '(will be retried)' : ''}
          </dd>
        </>
      ) : null}
      {run.queueOutcome ? (
        <>
          <dt>Queue</dt>
          <dd>
            {run.queueOutcome.action} after attempt {run.queueOutcome.attempt}: {run.queueOutcome.reason}
          </dd>
        </>
      ) : null}
      {run.skipped.length > 0 ? (
        <>
          <dt>Skipped</dt>
          <dd>
            <ul className="path-list">
              {run.skipped.map((skip) => (
                <li key={skip.path}>
                  <code>{skip.path}</code> — {skip.reason}
                </li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
      {run.lfsPointers.length > 0 ? (
        <>
          <dt>Git LFS pointers</dt>
          <dd>{run.lfsPointers.join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}
