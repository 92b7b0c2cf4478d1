import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../api/ApiClient';
import { ApiError } from '../api/ApiError';
import type { TreeEntry, WorkspaceStatus } from '../api/types';
import { useApp } from '../app/AppContext';
import { setLeaveGuard } from '../app/router';
import { languageLabel, languageOf } from '../editor/languages';
import { ErrorMessage, Loading, Toast } from '../ui/Feedback';
import { formatBytes, saveBlob } from '../ui/format';
import { ConfirmDialog, PromptDialog } from '../ui/PromptDialog';
import { type Conflict, ConflictDialog } from './ConflictDialog';
import { documentOf, isDirty, nextInstance, type OpenDocument } from './documents';
import { FileTree } from './FileTree';
import { isWithin, join, movedPath, nameOf, parentOf } from './paths';
import { ReadOnlyBanner } from './ReadOnlyBanner';
import { useTree } from './useTree';

const CodeEditor = lazy(() => import('../editor/CodeEditor'));

type Prompt =
  | { readonly kind: 'new-file' | 'new-folder'; readonly folder: string }
  | { readonly kind: 'move'; readonly entry: TreeEntry }
  | { readonly kind: 'delete'; readonly entry: TreeEntry }
  | { readonly kind: 'overwrite-upload'; readonly path: string; readonly file: File };

/** Monaco model key of an open document, unique across scopes and openings. */
function modelPathOf(scope: string, document: OpenDocument): string {
  return `${scope}/${document.kind === 'text' ? document.instance : 0}/${document.path}`;
}

/** Frees the Monaco models of documents that are no longer open (Monaco is loaded only once a text file was shown). */
function releaseModels(scope: string, released: readonly OpenDocument[]): void {
  const paths = released.filter((document) => document.kind === 'text').map((document) => modelPathOf(scope, document));
  if (paths.length === 0) return;
  void import('../editor/CodeEditor').then(
    ({ disposeModel }) => {
      for (const path of paths) disposeModel(path);
    },
    () => undefined,
  );
}

/** The conflict a refused save of `mine` ran into: the server's current version of `path`, or none when it is gone. */
async function conflictFor(api: ApiClient, scope: string, path: string, mine: string): Promise<Conflict> {
  try {
    const current = await api.readFile(scope, path);
    return {
      path,
      mine,
      theirs: current.encoding === 'utf8' ? current.content : null,
      theirsEtag: current.etag,
      language: languageOf(path),
    };
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404)
      return { path, mine, theirs: null, theirsEtag: null, language: languageOf(path) };
    throw failure;
  }
}

const UNSAVED_WARNING = 'You have unsaved changes. Leave and lose them?';

/** The script editor: the scope's files, the open files in Monaco, and every file operation. */
export function WorkspacePage() {
  const { api, scope, config } = useApp();
  const [status, setStatus] = useState<WorkspaceStatus | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);
  const tree = useTree(api, scope.scope);
  const [selected, setSelected] = useState<TreeEntry | null>(null);
  const [documents, setDocuments] = useState<readonly OpenDocument[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [toast, setToast] = useState<string | null>(null);
  const upload = useRef<HTMLInputElement>(null);

  const loadStatus = useCallback(() => {
    api.status(scope.scope).then((loaded) => {
      setStatus(loaded);
      setStatusError(null);
    }, setStatusError);
  }, [api, scope.scope]);
  useEffect(loadStatus, [loadStatus]);

  const readOnlyReason = !scope.canWrite
    ? 'Your role may not change this scope'
    : status?.readOnly
      ? 'Read-only while the scope is managed by GitHub'
      : status === null
        ? 'Loading…'
        : null;
  const editable = readOnlyReason === null;

  // Leaving the page (or the scope) closes every file: free their editor models too.
  const openDocuments = useRef(documents);
  openDocuments.current = documents;
  useEffect(() => () => releaseModels(scope.scope, openDocuments.current), [scope.scope]);

  const dirtyPaths = useMemo(() => new Set(documents.filter(isDirty).map((document) => document.path)), [documents]);
  const anyDirty = dirtyPaths.size > 0;

  // Guard in-app navigation and closing the tab while something is unsaved.
  useEffect(() => {
    setLeaveGuard(anyDirty ? () => window.confirm(UNSAVED_WARNING) : null);
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (!anyDirty) return;
      event.preventDefault();
      event.returnValue = UNSAVED_WARNING;
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      setLeaveGuard(null);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, [anyDirty]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 2500);
    return () => clearTimeout(timer);
  }, [toast]);

  const patchDocument = useCallback((path: string, change: (document: OpenDocument) => OpenDocument) => {
    setDocuments((current) => current.map((document) => (document.path === path ? change(document) : document)));
  }, []);

  const open = useCallback(
    async (entry: TreeEntry) => {
      if (entry.kind !== 'file') return;
      setActive(entry.path);
      if (documents.some((document) => document.path === entry.path)) return;
      if (entry.size > config.maxFileBytes) {
        setDocuments((current) => [...current, { kind: 'too-large', path: entry.path, size: entry.size }]);
        return;
      }
      setDocuments((current) => [...current, { kind: 'loading', path: entry.path }]);
      try {
        const file = await api.readFile(scope.scope, entry.path);
        patchDocument(entry.path, () => documentOf({ ...file, path: entry.path }));
      } catch (failure) {
        patchDocument(entry.path, () => ({ kind: 'error', path: entry.path, error: failure }));
      }
    },
    [api, config.maxFileBytes, documents, patchDocument, scope.scope],
  );

  function close(path: string) {
    const document = documents.find((candidate) => candidate.path === path);
    if (
      document &&
      isDirty(document) &&
      !window.confirm(`${nameOf(path)} has unsaved changes. Close it and lose them?`)
    )
      return;
    const remaining = documents.filter((candidate) => candidate.path !== path);
    setDocuments(remaining);
    if (active === path) setActive(remaining.at(-1)?.path ?? null);
    if (document) releaseModels(scope.scope, [document]);
  }

  const activeDocument = documents.find((document) => document.path === active) ?? null;

  /** Saves `path`; `typed` is the editor's own text, which may be ahead of `documents` by a keystroke or two. */
  const save = useCallback(
    async (path: string, typed?: string) => {
      const document = documents.find((candidate) => candidate.path === path);
      if (document?.kind !== 'text' || !editable) return;
      const text = typed ?? document.text;
      if (text === document.saved) return;
      setBusy('Saving…');
      setError(null);
      try {
        const saved = await api.saveText(scope.scope, path, text, document.etag);
        patchDocument(path, (current) =>
          current.kind === 'text' ? { ...current, saved: text, etag: saved.etag, size: saved.size } : current,
        );
        setToast(`Saved ${nameOf(path)}`);
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 412) {
          // Reading the server's version can fail too (network, sign-in): say so rather than lose it.
          await conflictFor(api, scope.scope, path, text).then(setConflict, setError);
        } else {
          setError(failure);
        }
      } finally {
        setBusy(null);
      }
    },
    [api, documents, editable, patchDocument, scope.scope],
  );

  async function resolveConflict(choice: 'reload' | 'overwrite') {
    if (!conflict) return;
    setBusy(choice === 'reload' ? 'Reloading…' : 'Saving…');
    try {
      if (choice === 'reload' && conflict.theirs !== null && conflict.theirsEtag) {
        const theirs = conflict.theirs;
        const etag = conflict.theirsEtag;
        patchDocument(conflict.path, (current) =>
          current.kind === 'text'
            ? { ...current, saved: theirs, text: theirs, etag, revision: current.revision + 1 }
            : current,
        );
        setToast(`Reloaded ${nameOf(conflict.path)} from the server`);
      } else {
        const saved = await api.saveText(scope.scope, conflict.path, conflict.mine, conflict.theirsEtag);
        const mine = conflict.mine;
        patchDocument(conflict.path, (current) =>
          current.kind === 'text' ? { ...current, saved: mine, etag: saved.etag } : current,
        );
        setToast(`Saved ${nameOf(conflict.path)} over the server version`);
      }
      setConflict(null);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 412) {
        await conflictFor(api, scope.scope, conflict.path, conflict.mine).then(setConflict, (reading: unknown) => {
          setConflict(null);
          setError(reading);
        });
      } else {
        setConflict(null);
        setError(failure);
      }
    } finally {
      setBusy(null);
    }
  }

  // Ctrl/Cmd-S anywhere on the page saves the active file (Monaco handles it itself while focused).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        if (active) void save(active);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, save]);

  /** Folder new entries go into: the selected folder, or the selected file's folder. */
  const targetFolder = selected ? (selected.kind === 'directory' ? selected.path : parentOf(selected.path)) : '';

  async function run(label: string, work: () => Promise<void>) {
    setBusy(label);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function submitPrompt(value: string) {
    const current = prompt;
    if (!current) return;
    setPrompt(null);
    if (current.kind === 'new-file') {
      const path = join(current.folder, value);
      await run('Creating…', async () => {
        const saved = await api.saveText(scope.scope, path, '', null);
        await tree.reveal(path);
        await tree.refresh(parentOf(path));
        setDocuments((existing) => [
          ...existing.filter((document) => document.path !== path),
          { kind: 'text', path, saved: '', text: '', etag: saved.etag, size: 0, revision: 0, instance: nextInstance() },
        ]);
        setActive(path);
        setSelected({ path, kind: 'file', size: 0, lastModified: saved.lastModified, executable: false });
      });
    } else if (current.kind === 'new-folder') {
      const path = join(current.folder, value);
      await run('Creating…', async () => {
        await api.createFolder(scope.scope, path);
        await tree.reveal(join(path, 'x'));
        await tree.refresh(parentOf(path));
      });
    } else if (current.kind === 'move') {
      const from = current.entry.path;
      const to = value.replace(/^\/+|\/+$/g, '');
      if (to === from) return;
      await run('Moving…', async () => {
        await api.move(scope.scope, from, to);
        // The moved files get new models under their new paths (from the editor's text); free the old ones.
        releaseModels(
          scope.scope,
          documents.filter((document) => movedPath(document.path, from, to) !== document.path),
        );
        setDocuments((existing) =>
          existing.map((document) => ({ ...document, path: movedPath(document.path, from, to) })),
        );
        setActive((path) => (path ? movedPath(path, from, to) : path));
        setSelected({ ...current.entry, path: to });
        await tree.reveal(to);
        await tree.refresh();
        setToast(`Moved to ${to}`);
      });
    }
  }

  async function confirmDelete(entry: TreeEntry) {
    setPrompt(null);
    await run('Deleting…', async () => {
      if (entry.kind === 'directory') await api.deleteFolder(scope.scope, entry.path);
      else {
        const document = documents.find((candidate) => candidate.path === entry.path);
        await api.deleteFile(
          scope.scope,
          entry.path,
          document?.kind === 'text' && !isDirty(document) ? document.etag : undefined,
        );
      }
      const remaining = documents.filter((document) => !isWithin(document.path, entry.path));
      releaseModels(
        scope.scope,
        documents.filter((document) => isWithin(document.path, entry.path)),
      );
      setDocuments(remaining);
      if (active && isWithin(active, entry.path)) setActive(remaining.at(-1)?.path ?? null);
      setSelected(null);
      await tree.refresh(parentOf(entry.path));
      setToast(`Deleted ${entry.path}`);
    });
  }

  async function uploadFile(file: File, overwrite: boolean) {
    const path = join(targetFolder, file.name);
    if (file.size > config.maxFileBytes) {
      setError(
        new Error(
          `${file.name} is ${formatBytes(file.size)}; files over ${formatBytes(config.maxFileBytes)} cannot be stored here.`,
        ),
      );
      return;
    }
    setBusy(`Uploading ${file.name}…`);
    setError(null);
    try {
      await api.upload(scope.scope, path, file, overwrite);
      // An open copy is now stale: drop it so the next open reads the upload.
      releaseModels(
        scope.scope,
        documents.filter((document) => document.path === path && !isDirty(document)),
      );
      setDocuments((existing) => existing.filter((document) => document.path !== path || isDirty(document)));
      await tree.reveal(path);
      await tree.refresh(parentOf(path));
      setToast(`Uploaded ${path}`);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 412) setPrompt({ kind: 'overwrite-upload', path, file });
      else setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function download(entry: TreeEntry) {
    await run(`Downloading ${nameOf(entry.path)}…`, async () => {
      const file = await api.downloadFile(scope.scope, entry.path);
      saveBlob(file.blob, nameOf(entry.path));
    });
  }

  const selectedFile = selected?.kind === 'file' ? selected : null;
  const disabledTitle = readOnlyReason ?? undefined;

  return (
    <main className="workspace" aria-busy={busy !== null}>
      <h1 className="visually-hidden">Workspace {scope.scope}</h1>
      <ErrorMessage error={statusError} />
      {status ? <ReadOnlyBanner status={status} canWrite={scope.canWrite} /> : null}
      <div className="workspace-body">
        <aside className="sidebar" aria-label="Explorer">
          <div className="toolbar" role="toolbar" aria-label="File actions">
            <button
              type="button"
              disabled={!editable}
              title={disabledTitle ?? `New file in /${targetFolder}`}
              onClick={() => setPrompt({ kind: 'new-file', folder: targetFolder })}
            >
              New file
            </button>
            <button
              type="button"
              disabled={!editable}
              title={disabledTitle ?? `New folder in /${targetFolder}`}
              onClick={() => setPrompt({ kind: 'new-folder', folder: targetFolder })}
            >
              New folder
            </button>
            <button
              type="button"
              disabled={!editable}
              title={disabledTitle ?? `Upload into /${targetFolder}`}
              onClick={() => upload.current?.click()}
            >
              Upload
            </button>
            <button
              type="button"
              disabled={!editable || !selected}
              title={disabledTitle ?? 'Rename or move (F2)'}
              onClick={() => selected && setPrompt({ kind: 'move', entry: selected })}
            >
              Rename
            </button>
            <button
              type="button"
              disabled={!editable || !selected}
              title={disabledTitle ?? 'Delete (Del)'}
              onClick={() => selected && setPrompt({ kind: 'delete', entry: selected })}
            >
              Delete
            </button>
            <button
              type="button"
              disabled={!selectedFile}
              title="Download the selected file"
              onClick={() => selectedFile && void download(selectedFile)}
            >
              Download
            </button>
            <button
              type="button"
              title="Reload the file list"
              onClick={() => {
                loadStatus();
                void tree.refresh();
              }}
            >
              Refresh
            </button>
            <input
              ref={upload}
              type="file"
              hidden
              aria-label="File to upload"
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void uploadFile(file, false);
              }}
            />
          </div>
          {tree.rootLoaded && tree.rootEmpty ? (
            <p className="empty">
              {editable ? 'No files yet. Create a file or upload one.' : 'No files in this scope yet.'}
            </p>
          ) : null}
          <FileTree
            rows={tree.rows}
            selected={selected?.path ?? null}
            dirty={dirtyPaths}
            onSelect={setSelected}
            onOpen={(entry) => void open(entry)}
            onToggle={tree.toggle}
            {...(editable
              ? {
                  onRename: (entry: TreeEntry) => setPrompt({ kind: 'move', entry }),
                  onDelete: (entry: TreeEntry) => setPrompt({ kind: 'delete', entry }),
                }
              : {})}
          />
        </aside>
        <section className="editor-area" aria-label="Editor">
          {documents.length > 0 ? (
            <fieldset className="tabs" aria-label="Open files">
              {documents.map((document) => (
                <div key={document.path} className={`tab${document.path === active ? ' tab-active' : ''}`}>
                  <button
                    type="button"
                    aria-current={document.path === active ? 'true' : undefined}
                    title={document.path}
                    onClick={() => setActive(document.path)}
                  >
                    {nameOf(document.path)}
                    {isDirty(document) ? (
                      <span className="dirty-dot" aria-label="unsaved changes" role="img">
                        {' '}
                        ●
                      </span>
                    ) : null}
                  </button>
                  <button
                    type="button"
                    className="tab-close"
                    aria-label={`Close ${nameOf(document.path)}`}
                    onClick={() => close(document.path)}
                  >
                    ×
                  </button>
                </div>
              ))}
            </fieldset>
          ) : null}
          <div className="editor-frame">
            {activeDocument ? (
              <DocumentView
                document={activeDocument}
                modelPath={modelPathOf(scope.scope, activeDocument)}
                editable={editable}
                maxFileBytes={config.maxFileBytes}
                onChange={(text) =>
                  patchDocument(activeDocument.path, (current) =>
                    current.kind === 'text' ? { ...current, text } : current,
                  )
                }
                onSave={(text) => void save(activeDocument.path, text)}
                onDownload={() =>
                  void download({
                    path: activeDocument.path,
                    kind: 'file',
                    size: 0,
                    lastModified: '',
                    executable: false,
                  })
                }
              />
            ) : (
              <div className="welcome">
                <p>Select a file to open it.</p>
                <p className="hint">Ctrl/Cmd-S saves · F2 renames · Del deletes · arrow keys move in the file list</p>
              </div>
            )}
          </div>
          <footer className="status-bar">
            <span>
              {scope.scope} · {status ? (status.mode === 'github-sync' ? 'GitHub sync' : 'manual edit') : '…'}
              {status ? ` · ${status.files} files, ${formatBytes(status.totalBytes)}` : ''}
            </span>
            {activeDocument?.kind === 'text' ? (
              <span>
                {languageLabel(languageOf(activeDocument.path))} ·{' '}
                {isDirty(activeDocument) ? 'unsaved changes' : 'saved'}
              </span>
            ) : null}
            {busy ? <span role="status">{busy}</span> : null}
          </footer>
        </section>
      </div>
      <ErrorMessage error={error}>
        {' '}
        <button type="button" className="link-button" onClick={() => setError(null)}>
          Dismiss
        </button>
      </ErrorMessage>
      <Toast message={toast} />
      {conflict ? (
        <ConflictDialog
          conflict={conflict}
          busy={busy !== null}
          onReload={() => void resolveConflict('reload')}
          onOverwrite={() => void resolveConflict('overwrite')}
          onCancel={() => setConflict(null)}
        />
      ) : null}
      {prompt?.kind === 'new-file' || prompt?.kind === 'new-folder' ? (
        <PromptDialog
          title={prompt.kind === 'new-file' ? 'New file' : 'New folder'}
          label={`Name (in /${prompt.folder})`}
          initial=""
          submitLabel="Create"
          hint="Use / to create it in a sub-folder."
          onSubmit={(value) => void submitPrompt(value)}
          onCancel={() => setPrompt(null)}
        />
      ) : null}
      {prompt?.kind === 'move' ? (
        <PromptDialog
          title={`Rename or move ${nameOf(prompt.entry.path)}`}
          label="New path (from the scope folder)"
          initial={prompt.entry.path}
          submitLabel="Move"
          onSubmit={(value) => void submitPrompt(value)}
          onCancel={() => setPrompt(null)}
        />
      ) : null}
      {prompt?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${nameOf(prompt.entry.path)}?`}
          confirmLabel="Delete"
          danger
          onConfirm={() => void confirmDelete(prompt.entry)}
          onCancel={() => setPrompt(null)}
        >
          <p>
            {prompt.entry.kind === 'directory' ? 'The folder and everything in it' : 'The file'}{' '}
            <code>{prompt.entry.path}</code> will be deleted. This cannot be undone.
          </p>
          <UnsavedInside documents={documents} path={prompt.entry.path} />
        </ConfirmDialog>
      ) : null}
      {prompt?.kind === 'overwrite-upload' ? (
        <ConfirmDialog
          title={`Replace ${nameOf(prompt.path)}?`}
          confirmLabel="Replace"
          danger
          onConfirm={() => {
            const { file } = prompt;
            setPrompt(null);
            void uploadFile(file, true);
          }}
          onCancel={() => setPrompt(null)}
        >
          <p>
            <code>{prompt.path}</code> already exists. Replace it with the uploaded file?
          </p>
        </ConfirmDialog>
      ) : null}
    </main>
  );
}

/** The open files with unsaved changes that deleting `path` would discard. */
function UnsavedInside({ documents, path }: { readonly documents: readonly OpenDocument[]; readonly path: string }) {
  const unsaved = documents.filter((document) => isDirty(document) && isWithin(document.path, path));
  if (unsaved.length === 0) return null;
  return (
    <>
      <p>
        <strong>
          {unsaved.length === 1
            ? 'This open file has unsaved changes, which will be lost:'
            : `These ${unsaved.length} open files have unsaved changes, which will be lost:`}
        </strong>
      </p>
      <ul className="path-list" aria-label="Unsaved files to be lost">
        {unsaved.map((document) => (
          <li key={document.path}>
            <code>{document.path}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

interface DocumentViewProps {
  readonly document: OpenDocument;
  /** Monaco model key, unique across scopes. */
  readonly modelPath: string;
  readonly editable: boolean;
  readonly maxFileBytes: number;
  readonly onChange: (text: string) => void;
  readonly onSave: (text: string) => void;
  readonly onDownload: () => void;
}

function DocumentView({
  document,
  modelPath,
  editable,
  maxFileBytes,
  onChange,
  onSave,
  onDownload,
}: DocumentViewProps) {
  switch (document.kind) {
    case 'loading':
      return <Loading label={`Opening ${nameOf(document.path)}…`} />;
    case 'error':
      return <ErrorMessage error={document.error} />;
    case 'binary':
      return (
        <div className="file-note">
          <h2>{nameOf(document.path)} is a binary file</h2>
          <p>
            It is {formatBytes(document.size)} and not text, so it is not opened in the editor. You can download it or
            replace it by uploading.
          </p>
          <button type="button" onClick={onDownload}>
            Download
          </button>
        </div>
      );
    case 'too-large':
      return (
        <div className="file-note">
          <h2>{nameOf(document.path)} is too large to edit here</h2>
          <p>
            It is {formatBytes(document.size)}; the editor opens files up to {formatBytes(maxFileBytes)}. Download it to
            work on it locally.
          </p>
          <button type="button" onClick={onDownload}>
            Download
          </button>
        </div>
      );
    case 'text':
      return (
        <Suspense fallback={<Loading label="Loading editor…" />}>
          <CodeEditor
            path={modelPath}
            language={languageOf(document.path)}
            value={document.text}
            revision={document.revision}
            readOnly={!editable}
            onChange={onChange}
            onSave={onSave}
          />
        </Suspense>
      );
  }
}
