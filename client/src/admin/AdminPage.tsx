import { useCallback, useEffect, useState } from 'react';
import type { Backup, DeadLetters, Readiness } from '../api/types';
import { useApp } from '../app/AppContext';
import { Empty, ErrorMessage, Loading, Toast } from '../ui/Feedback';
import { formatAge, formatBytes, formatTime, saveBlob } from '../ui/format';
import { ConfirmDialog } from '../ui/PromptDialog';

/** Operating the service: readiness, dead-lettered syncs, backups and the whole-workspace zip. */
export function AdminPage() {
  return (
    <main className="page">
      <h1>Admin</h1>
      <ReadinessSection />
      <DeadLettersSection />
      <BackupsSection />
      <ZipSection />
    </main>
  );
}

function ReadinessSection() {
  const { api } = useApp();
  const [readiness, setReadiness] = useState<Readiness | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setReadiness(null);
    api.readiness().then(setReadiness, setError);
  }, [api]);
  useEffect(load, [load]);
  return (
    <section className="card" aria-labelledby="readiness-title">
      <h2 id="readiness-title">
        Readiness{' '}
        {readiness ? (
          <span className={`badge ${readiness.status === 'ready' ? 'badge-ok' : 'badge-error'}`}>
            {readiness.status}
          </span>
        ) : null}
      </h2>
      <ErrorMessage error={error} />
      {readiness === null && !error ? <Loading label="Checking every dependency…" /> : null}
      {readiness ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Dependency</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {readiness.dependencies.map((dependency) => (
              <tr key={dependency.name}>
                <td>{dependency.name}</td>
                <td>
                  <span className={`badge ${dependency.status === 'ok' ? 'badge-ok' : 'badge-error'}`}>
                    {dependency.status}
                  </span>
                </td>
                <td>{dependency.latencyMs} ms</td>
                <td>{dependency.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" onClick={load}>
        Check again
      </button>
    </section>
  );
}

function DeadLettersSection() {
  const { api } = useApp();
  const [letters, setLetters] = useState<DeadLetters | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirmPurge, setConfirmPurge] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const load = useCallback(() => {
    api.deadLetters().then((loaded) => {
      setLetters(loaded);
      setSelected(
        (current) => new Set([...current].filter((id) => loaded.deadLetters.some((letter) => letter.messageId === id))),
      );
    }, setError);
  }, [api]);
  useEffect(load, [load]);

  async function act(work: () => Promise<string>) {
    setBusy(true);
    setError(null);
    try {
      setToast(await work());
      load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const replay = (which: { all: true } | { messageIds: string[] }) =>
    act(async () => {
      const result = await api.replay(which);
      const problems = [
        ...result.notFound.map((id) => `${id} not found`),
        ...result.notReplayable.map((id) => `${id} not replayable`),
      ];
      return `Replayed ${result.replayed.length}${problems.length ? `; ${problems.join(', ')}` : ''}`;
    });

  return (
    <section className="card" aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title">Dead-lettered syncs {letters ? `(${letters.count})` : ''}</h2>
      <ErrorMessage error={error} />
      {letters === null && !error ? <Loading /> : null}
      {letters?.deadLetters.length === 0 ? <Empty>No dead letters: every sync command was handled.</Empty> : null}
      {letters && letters.deadLetters.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={selected.size === letters.deadLetters.length}
                  onChange={(event) =>
                    setSelected(
                      event.target.checked ? new Set(letters.deadLetters.map((letter) => letter.messageId)) : new Set(),
                    )
                  }
                />
              </th>
              <th scope="col">Reason</th>
              <th scope="col">Scope</th>
              <th scope="col">Trigger</th>
              <th scope="col">Age</th>
              <th scope="col">Deliveries</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {letters.deadLetters.map((letter) => (
              <tr key={letter.messageId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${letter.messageId}`}
                    checked={selected.has(letter.messageId)}
                    onChange={(event) =>
                      setSelected((current) => {
                        const next = new Set(current);
                        if (event.target.checked) next.add(letter.messageId);
                        else next.delete(letter.messageId);
                        return next;
                      })
                    }
                  />
                </td>
                <td>
                  <strong>{letter.reason}</strong>
                </td>
                <td>{letter.command?.scope ?? '—'}</td>
                <td>{letter.command?.trigger ?? '(malformed)'}</td>
                <td className="nowrap" title={formatTime(letter.enqueuedAt)}>
                  {formatAge(letter.enqueuedAt)}
                </td>
                <td>{letter.deliveryCount}</td>
                <td>{letter.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={load} disabled={busy}>
          Refresh
        </button>
        <button
          type="button"
          disabled={busy || selected.size === 0}
          onClick={() => void replay({ messageIds: [...selected] })}
        >
          Replay selected ({selected.size})
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || !letters?.count}
          onClick={() => void replay({ all: true })}
        >
          Replay all
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy || !letters?.count}
          onClick={() => setConfirmPurge(true)}
        >
          Purge all
        </button>
      </div>
      <Toast message={toast} />
      {confirmPurge ? (
        <ConfirmDialog
          title="Purge every dead letter?"
          confirmLabel="Purge"
          danger
          onCancel={() => setConfirmPurge(false)}
          onConfirm={() => {
            setConfirmPurge(false);
            void act(async () => `Purged ${(await api.purge()).purged}`);
          }}
        >
          <p>
            The {letters?.count} dead-lettered sync commands are deleted and cannot be replayed. The next push or
            reconcile syncs their scopes again.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function BackupsSection() {
  const { api, scope } = useApp();
  const [backups, setBackups] = useState<readonly Backup[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.backups(scope.scope).then(setBackups, setError);
  }, [api, scope.scope]);
  async function download(backup: Backup) {
    try {
      const file = await api.downloadBackup(scope.scope, backup.id);
      saveBlob(file.blob, file.fileName);
    } catch (failure) {
      setError(failure);
    }
  }
  return (
    <section className="card" aria-labelledby="backups-title">
      <h2 id="backups-title">Backups of {scope.scope}</h2>
      <ErrorMessage error={error} />
      {backups === null && !error ? <Loading /> : null}
      {backups?.length === 0 ? (
        <Empty>No backups: a backup is taken when a sync is about to replace files edited by hand.</Empty>
      ) : null}
      {backups && backups.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Reason</th>
              <th scope="col">Size</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {backups.map((backup) => (
              <tr key={backup.id}>
                <td className="nowrap">{formatTime(backup.createdAt)}</td>
                <td>{backup.reason}</td>
                <td className="nowrap">{formatBytes(backup.size)}</td>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => void download(backup)}
                    aria-label={`Download backup ${backup.id}`}
                  >
                    Download
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function ZipSection() {
  const { api, scope } = useApp();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function download(all: boolean) {
    setError(null);
    setProgress(0);
    try {
      const zip = await api.downloadZip(scope.scope, all, setProgress);
      saveBlob(zip.blob, zip.fileName);
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(null);
    }
  }
  return (
    <section className="card" aria-labelledby="zip-title">
      <h2 id="zip-title">Download as zip</h2>
      <ErrorMessage error={error} />
      <div className="form-actions">
        <button type="button" disabled={progress !== null} onClick={() => void download(false)}>
          Zip of {scope.scope}
        </button>
        <button type="button" className="primary" disabled={progress !== null} onClick={() => void download(true)}>
          Zip of the whole workspace
        </button>
        {progress !== null ? (
          <span role="status" className="loading">
            <span className="spinner" aria-hidden="true" /> Zipping… {formatBytes(progress)} received
          </span>
        ) : null}
      </div>
    </section>
  );
}
