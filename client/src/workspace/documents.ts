import type { FileContent } from '../api/types';

/** A file open in the editor. */
export type OpenDocument =
  | {
      readonly kind: 'text';
      readonly path: string;
      /** What the server has, as last read or saved. */
      readonly saved: string;
      /** What the editor holds. */
      readonly text: string;
      readonly etag: string;
      readonly size: number;
      /** Bumped when `text` is replaced from outside the editor (a reload). */
      readonly revision: number;
      /** Unique per opening: a file closed and opened again gets a fresh editor model. */
      readonly instance: number;
    }
  | { readonly kind: 'binary' | 'too-large'; readonly path: string; readonly size: number }
  | { readonly kind: 'loading'; readonly path: string }
  | { readonly kind: 'error'; readonly path: string; readonly error: unknown };

export function isDirty(document: OpenDocument): boolean {
  return document.kind === 'text' && document.text !== document.saved;
}

/** A read file as an open document: text when the server sent UTF-8, else binary (never shown as text). */
export function documentOf(file: FileContent): OpenDocument {
  if (file.encoding !== 'utf8') return { kind: 'binary', path: file.path, size: file.size };
  return {
    kind: 'text',
    path: file.path,
    saved: file.content,
    text: file.content,
    etag: file.etag,
    size: file.size,
    revision: 0,
    instance: nextInstance(),
  };
}

let instances = 0;

export function nextInstance(): number {
  instances += 1;
  return instances;
}
