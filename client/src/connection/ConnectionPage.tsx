import { useCallback, useEffect, useState } from 'react';
import type { Connected, Connection, SyncRun, WorkspaceStatus } from '../api/types';
import { useApp } from '../app/AppContext';
import { hrefFor, navigate } from '../app/router';
import { CopyField } from '../ui/CopyField';
import { ErrorMessage, Loading, Toast } from '../ui/Feedback';
import { formatTime, shortSha } from '../ui/format';
import { ConfirmDialog, PromptDialog } from '../ui/PromptDialog';
import { ConnectForm } from './ConnectForm';

type Dialog = 'rotate' | 'disconnect' | 'branch' | null;

const POLL_MS = 1500;
/** How long to look for the first run after connecting (a worker may be slow to pick it up): one minute. */
const FIRST_RUN_POLLS = 40;

/** The scope's GitHub connection: connect, then operate it (sync, rotate, enable/disable, disconnect). */
export function ConnectionPage({ onChanged }: { readonly onChanged: () => void }) {
  const { api, scope } = useApp();
  const [connection, setConnection] = useState<Connection | null | undefined>(undefined);
  const [status, setStatus] = useState<WorkspaceStatus | null>(null);
  const [latest, setLatest] = useState<SyncRun | null>(null);
  const [connected, setConnected] = useState<Connected | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** The last load's failure, cleared by the next load that succeeds (an action's error stays until the next action). */
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [toast, setToast] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [current, currentStatus, runs] = await Promise.all([
        api.getConnection(scope.scope),
        api.status(scope.scope),
        api.syncRuns({ scope: scope.scope, limit: 1 }),
      ]);
      setConnection(current);
      setStatus(currentStatus);
      setLatest(runs.items[0] ?? null);
      setLoadError(null);
    } catch (failure) {
      setLoadError(failure);
      setConnection((current) => current ?? null);
    }
  }, [api, scope.scope]);
  useEffect(() => void load(), [load]);

  // While a sync runs, follow it; just after connecting, look for the queued first run for a while.
  useEffect(() => {
    const following = latest?.status === 'running';
    const awaitingFirstRun = connected?.sync.queued && !latest;
    if (!following && !awaitingFirstRun) return;
    let polls = 0;
    const timer = setInterval(() => {
      polls += 1;
      if (!following && polls > FIRST_RUN_POLLS) clearInterval(timer);
      else void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [latest, connected, load]);

  async function act(label: string, work: () => Promise<string | undefined>) {
    setBusy(label);
    setError(null);
    try {
      const done = await work();
      if (done) setToast(done);
      await load();
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  if (connection === undefined) return <Loading />;
  const canWrite = scope.canWrite;
  const history = hrefFor('/history', scope.scope);

  return (
    <main className="page">
      <h1>GitHub connection · {scope.scope}</h1>
      <ErrorMessage error={loadError} />
      <ErrorMessage error={error} />
      {connected?.webhook.mode === 'manual' ? (
        <section className="card card-warn" aria-labelledby="webhook-title">
          <h2 id="webhook-title">Add the webhook on GitHub</h2>
          <p>
            {connected.webhook.reason} Add a webhook to <code>{connected.connection.repository}</code> (Settings →
            Webhooks) with content type <code>application/json</code>, the push event, and these values.{' '}
            <strong>The secret is shown only now.</strong>
          </p>
          <CopyField label="Payload URL" value={connected.webhook.url} />
          <CopyField label="Secret" value={connected.webhook.secret} secret />
          <button type="button" onClick={() => setConnected(null)}>
            I have added it
          </button>
        </section>
      ) : connected?.webhook.mode === 'automatic' ? (
        <p className="notice notice-ok" role="status">
          Connected. The push webhook was registered on GitHub automatically (hook {connected.webhook.id}); the first
          sync is {connected.sync.queued ? 'queued' : 'not queued'}.
        </p>
      ) : null}
      {connection === null ? (
        canWrite ? (
          <ConnectForm
            existingFiles={status?.files ?? 0}
            onConnected={(result) => {
              setConnected(result);
              setConnection(result.connection);
              onChanged();
              void load();
            }}
          />
        ) : (
          <p>This scope is not connected to GitHub, and your role may not connect it.</p>
        )
      ) : (
        <section className="card" aria-labelledby="connection-title">
          <h2 id="connection-title">Connected to {connection.repository}</h2>
          <dl className="facts">
            <dt>Repository</dt>
            <dd>
              <code>{connection.repository}</code>
            </dd>
            <dt>Branch</dt>
            <dd>
              <code>{connection.branch}</code>
              {connection.branchDeletedAt ? (
                <span className="badge badge-error"> deleted on GitHub {formatTime(connection.branchDeletedAt)}</span>
              ) : null}
            </dd>
            <dt>Folder</dt>
            <dd>{connection.subPath ? <code>{connection.subPath}</code> : '(whole repository)'}</dd>
            <dt>Sync</dt>
            <dd>
              {connection.enabled ? (
                <span className="badge badge-ok">enabled</span>
              ) : (
                <span className="badge badge-warn">disabled</span>
              )}
            </dd>
            <dt>Webhook</dt>
            <dd>
              {connection.webhook.mode === 'automatic'
                ? `registered automatically (hook ${connection.webhook.id})`
                : 'added by hand on GitHub'}
            </dd>
            <dt>Last sync</dt>
            <dd>
              {connection.lastSyncAt ? (
                <>
                  {connection.lastSyncOutcome} at {formatTime(connection.lastSyncAt)}, commit{' '}
                  <code>{shortSha(connection.lastSyncedCommit)}</code>
                </>
              ) : (
                'not yet'
              )}
            </dd>
            <dt>Latest run</dt>
            <dd>
              {latest ? (
                <>
                  <span className={`badge badge-${latest.status}`}>{latest.status}</span> {latest.trigger},{' '}
                  {formatTime(latest.startedAt)}
                  {latest.error ? ` — ${latest.error.message}` : ''}{' '}
                </>
              ) : (
                'none '
              )}
              <a
                href={history}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(history);
                }}
              >
                Sync history
              </a>
            </dd>
          </dl>
          <fieldset className="form-actions" aria-label="Connection actions">
            <button
              type="button"
              className="primary"
              disabled={!canWrite || busy !== null || !connection.enabled}
              onClick={() => void act('Queueing a sync…', async () => (await api.syncNow(scope.scope)).message)}
            >
              Sync now
            </button>
            <button type="button" disabled={!canWrite || busy !== null} onClick={() => setDialog('branch')}>
              Change branch
            </button>
            <button type="button" disabled={!canWrite || busy !== null} onClick={() => setDialog('rotate')}>
              Rotate token
            </button>
            <button
              type="button"
              disabled={!canWrite || busy !== null}
              onClick={() =>
                void act(
                  connection.enabled ? 'Disabling…' : 'Enabling…',
                  async () => void (await api.update(scope.scope, { enabled: !connection.enabled })),
                )
              }
            >
              {connection.enabled ? 'Disable sync' : 'Enable sync'}
            </button>
            <button
              type="button"
              className="danger"
              disabled={!canWrite || busy !== null}
              onClick={() => setDialog('disconnect')}
            >
              Disconnect
            </button>
          </fieldset>
          {!canWrite ? <p className="hint">Your role may read this connection but not change it.</p> : null}
        </section>
      )}
      {busy ? <Loading label={busy} /> : null}
      <Toast message={toast} />
      {dialog === 'rotate' ? (
        <PromptDialog
          title="Rotate the GitHub token"
          label="New token"
          initial=""
          submitLabel="Save token"
          hint="The service checks the new token with GitHub before storing it."
          onCancel={() => setDialog(null)}
          onSubmit={(token) => {
            setDialog(null);
            void act('Checking the new token…', async () => {
              await api.update(scope.scope, { token });
              return 'Token rotated';
            });
          }}
        />
      ) : null}
      {dialog === 'branch' && connection ? (
        <PromptDialog
          title="Change the branch"
          label="Branch"
          initial={connection.branch}
          submitLabel="Change"
          hint="The scope is synced from the new branch right away."
          onCancel={() => setDialog(null)}
          onSubmit={(branch) => {
            setDialog(null);
            void act('Changing the branch…', async () => {
              await api.update(scope.scope, { branch });
              return `Now following ${branch}`;
            });
          }}
        />
      ) : null}
      {dialog === 'disconnect' && connection ? (
        <ConfirmDialog
          title={`Disconnect ${scope.scope} from ${connection.repository}?`}
          confirmLabel="Disconnect"
          danger
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            setDialog(null);
            void act('Disconnecting…', async () => {
              const result = await api.disconnect(scope.scope);
              setConnected(null);
              return result.webhook.kind === 'not-removed'
                ? `Disconnected; remove the webhook on GitHub by hand: ${result.webhook.reason}`
                : 'Disconnected; the files stay and can be edited here now';
            });
          }}
        >
          <p>
            The files stay in the scope and become editable here. Pushes to GitHub no longer reach it, and the stored
            token and webhook secret are deleted.
          </p>
        </ConfirmDialog>
      ) : null}
    </main>
  );
}
