import type { ReactNode } from 'react';
import { messageOf } from '../api/ApiError';

/** An error as the API worded it, announced to screen readers. */
export function ErrorMessage({ error, children }: { readonly error: unknown; readonly children?: ReactNode }) {
  if (error === null || error === undefined) return null;
  return (
    <div role="alert" className="notice notice-error">
      {messageOf(error)}
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <div role="status" className="loading">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A one-line confirmation that fades in the status region. */
export function Toast({ message }: { readonly message: string | null }) {
  return (
    <div role="status" aria-live="polite" className={message ? 'toast toast-visible' : 'toast'}>
      {message}
    </div>
  );
}
