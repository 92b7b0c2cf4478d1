import { lazy, Suspense } from 'react';
import { Dialog } from '../ui/Dialog';
import { Loading } from '../ui/Feedback';

const DiffView = lazy(() => import('../editor/CodeEditor').then((module) => ({ default: module.DiffView })));

export interface Conflict {
  readonly path: string;
  /** The editor's text, refused because the file changed. */
  readonly mine: string;
  /** The server's current text; null when it was deleted or is no longer text. */
  readonly theirs: string | null;
  /** The server's current ETag (null = deleted: overwriting creates it again). */
  readonly theirsEtag: string | null;
  readonly language: string;
}

interface ConflictDialogProps {
  readonly conflict: Conflict;
  readonly busy: boolean;
  readonly onReload: () => void;
  readonly onOverwrite: () => void;
  readonly onCancel: () => void;
}

/** The save was refused (412): show both versions and let the user take theirs or keep theirs. */
export function ConflictDialog({ conflict, busy, onReload, onOverwrite, onCancel }: ConflictDialogProps) {
  return (
    <Dialog
      wide
      title={`${conflict.path} changed on the server`}
      onCancel={onCancel}
      actions={
        <>
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" onClick={onReload} disabled={busy || conflict.theirs === null}>
            Reload server version (discard mine)
          </button>
          <button type="button" className="danger" onClick={onOverwrite} disabled={busy}>
            Overwrite with mine
          </button>
        </>
      }
    >
      <p>
        Someone else saved this file after you opened it.{' '}
        {conflict.theirs === null
          ? 'It was deleted or is no longer a text file on the server.'
          : 'Left: the version on the server. Right: yours.'}
      </p>
      {conflict.theirs !== null ? (
        <fieldset className="diff-frame" aria-label="Server version and your version side by side">
          <Suspense fallback={<Loading label="Loading comparison…" />}>
            <DiffView original={conflict.theirs} modified={conflict.mine} language={conflict.language} />
          </Suspense>
        </fieldset>
      ) : null}
    </Dialog>
  );
}
