import { type FormEvent, useState } from 'react';
import type { Connected, Preview } from '../api/types';
import { useApp } from '../app/AppContext';
import { ErrorMessage, Loading } from '../ui/Feedback';
import { countOf } from '../ui/format';
import { type ConnectField, type FieldErrors, fieldErrorsOf } from './fieldErrors';
import { PreviewPanel } from './PreviewPanel';

const NO_ERRORS: FieldErrors = { fields: {}, form: null };

interface ConnectFormProps {
  /** Files already in the scope folder: connecting replaces them (after a backup). */
  readonly existingFiles: number;
  readonly onConnected: (result: Connected) => void;
}

/**
 * Connect the scope to a GitHub branch: the server checks the token, repository, branch and sub-path
 * (refusals appear next to the field), then the preview shows what the first sync would do before
 * the user confirms.
 */
export function ConnectForm({ existingFiles, onConnected }: ConnectFormProps) {
  const { api, scope } = useApp();
  const [values, setValues] = useState({ repository: '', branch: 'main', subPath: '', token: '' });
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const proposed = () => ({
    repository: values.repository.trim(),
    branch: values.branch.trim(),
    subPath: values.subPath.trim().replace(/^\/+|\/+$/g, ''),
    token: values.token.trim(),
  });

  async function showPreview(event: FormEvent) {
    event.preventDefault();
    setErrors(NO_ERRORS);
    setBusy('Checking with GitHub…');
    try {
      setPreview(await api.preview(scope.scope, proposed()));
    } catch (error) {
      setErrors(fieldErrorsOf(error));
    } finally {
      setBusy(null);
    }
  }

  async function connect() {
    setErrors(NO_ERRORS);
    setBusy('Connecting…');
    try {
      const replaces =
        existingFiles > 0 || (preview ? preview.overwrittenFiles.length + preview.deletedFiles.length > 0 : false);
      onConnected(await api.connect(scope.scope, { ...proposed(), confirmOverwrite: replaces }));
    } catch (error) {
      setPreview(null);
      setErrors(fieldErrorsOf(error));
    } finally {
      setBusy(null);
    }
  }

  function field(
    name: ConnectField,
    label: string,
    options: { type?: string; placeholder?: string; hint?: string; autoComplete?: string } = {},
  ) {
    const error = errors.fields[name];
    const id = `connect-${name}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={name}
          type={options.type ?? 'text'}
          value={values[name]}
          placeholder={options.placeholder}
          autoComplete={options.autoComplete ?? 'off'}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : options.hint ? `${id}-hint` : undefined}
          onChange={(event) => {
            setValues((current) => ({ ...current, [name]: event.target.value }));
            setPreview(null);
          }}
          disabled={busy !== null}
        />
        {error ? (
          <p id={`${id}-error`} className="field-error" data-code={error.code}>
            <strong>{error.code}</strong>: {error.message}
          </p>
        ) : options.hint ? (
          <p id={`${id}-hint`} className="hint">
            {options.hint}
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <section className="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect {scope.scope} to GitHub</h2>
      <p>
        While connected, this scope's files mirror the branch and cannot be edited here.{' '}
        {existingFiles > 0
          ? `The ${countOf(existingFiles, 'file')} now in the scope will be replaced; a backup is taken first.`
          : ''}
      </p>
      <form className="form" onSubmit={showPreview} aria-describedby="connect-title">
        {field('repository', 'Repository', { placeholder: 'owner/name', hint: 'owner/name on GitHub' })}
        {field('branch', 'Branch')}
        {field('subPath', 'Folder in the repository', {
          placeholder: '(the whole repository)',
          hint: 'Only this folder is mirrored; leave empty for all of it.',
        })}
        {field('token', 'GitHub token', {
          type: 'password',
          hint: 'A token that can read the repository (and manage its webhooks, to register the webhook automatically). Stored in the secret store, never shown again.',
          autoComplete: 'new-password',
        })}
        <ErrorMessage error={errors.form} />
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={busy !== null || !values.repository || !values.branch || !values.token}
          >
            Preview
          </button>
        </div>
      </form>
      {busy ? <Loading label={busy} /> : null}
      {preview ? (
        <>
          <PreviewPanel preview={preview} existingFiles={existingFiles} />
          <div className="form-actions">
            <button type="button" onClick={() => setPreview(null)} disabled={busy !== null}>
              Cancel
            </button>
            <button
              type="button"
              className={existingFiles > 0 ? 'danger' : 'primary'}
              onClick={() => void connect()}
              disabled={busy !== null}
            >
              {existingFiles > 0 ? 'Connect and replace files' : 'Connect'}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
