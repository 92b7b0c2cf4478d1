import { useSyncExternalStore } from 'react';

/** Asked before an in-app navigation; false keeps the user where they are (unsaved changes). */
type LeaveGuard = () => boolean;

let leaveGuard: LeaveGuard | null = null;
const listeners = new Set<() => void>();
/** The location the app shows: where Back/Forward returns to when the guard keeps the user on the page. */
let shown = currentHref();

function currentHref(): string {
  return window.location.pathname + window.location.search;
}

export function setLeaveGuard(guard: LeaveGuard | null): void {
  leaveGuard = guard;
}

/** Whether the current page lets the user leave (asks the guard, which may prompt). */
function mayLeave(): boolean {
  return leaveGuard ? leaveGuard() : true;
}

function notify(): void {
  for (const listener of listeners) listener();
}

/** Moves within the app without reloading; refused when the guard says so. */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): boolean {
  if (!options.force && !mayLeave()) return false;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  shown = currentHref();
  notify();
  return true;
}

/** Back/Forward: the browser has already changed the URL, so a refusal puts the shown one back. */
function onPopState(): void {
  if (currentHref() === shown) return;
  if (!mayLeave()) {
    history.pushState(null, '', shown);
    return;
  }
  shown = currentHref();
  notify();
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    shown = currentHref();
    window.addEventListener('popstate', onPopState);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', onPopState);
  };
}

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, 'http://app');
  return { pathname: url.pathname, search: url.searchParams };
}

/** A path with the scope kept in the query, so every page stays on the chosen scope. */
export function hrefFor(pathname: string, scope: string | null): string {
  return scope ? `${pathname}?scope=${encodeURIComponent(scope)}` : pathname;
}
