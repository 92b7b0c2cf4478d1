import type { Preview } from '../api/types';
import { countOf, formatBytes, shortSha } from '../ui/format';

function PathList({ title, paths }: { readonly title: string; readonly paths: readonly string[] }) {
  if (paths.length === 0) return null;
  return (
    <details>
      <summary>
        {title} ({paths.length})
      </summary>
      <ul className="path-list">
        {paths.slice(0, 500).map((path) => (
          <li key={path}>
            <code>{path}</code>
          </li>
        ))}
        {paths.length > 500 ? <li>… and {paths.length - 500} more</li> : null}
      </ul>
    </details>
  );
}

/** What a sync would do, before anything is changed. */
export function PreviewPanel({
  preview,
  existingFiles,
}: {
  readonly preview: Preview;
  readonly existingFiles: number;
}) {
  const replaces = preview.overwrittenFiles.length + preview.deletedFiles.length > 0;
  return (
    <section className="preview" aria-label="Preview of the first sync">
      <h3>
        Preview: {preview.repository}@{preview.branch} ({shortSha(preview.commitSha)})
      </h3>
      <ul className="summary-list">
        <li>
          {countOf(preview.newFiles.length, 'new file')}, {formatBytes(preview.bytesToWrite)} to write
        </li>
        <li>{countOf(preview.overwrittenFiles.length, 'file')} overwritten</li>
        <li>{countOf(preview.deletedFiles.length, 'file')} deleted</li>
        <li>{preview.unchanged} unchanged</li>
        {preview.skipped.length > 0 ? <li>{preview.skipped.length} skipped (cannot be stored on the share)</li> : null}
      </ul>
      {replaces || existingFiles > 0 ? (
        <p className="notice notice-warn">
          A backup (zip) of the scope's current files is taken before anything is replaced or deleted.
        </p>
      ) : null}
      <PathList title="New" paths={preview.newFiles} />
      <PathList title="Overwritten" paths={preview.overwrittenFiles} />
      <PathList title="Deleted" paths={preview.deletedFiles} />
      <PathList title="Skipped" paths={preview.skipped.map((skip) => `${skip.path} — ${skip.reason}`)} />
    </section>
  );
}
