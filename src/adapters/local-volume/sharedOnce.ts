/**
 * The one promise per key: the first caller's `start`, shared by every later caller; a failure is
 * forgotten, so a later caller starts again.
 */
export function sharedOnce<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  start: (key: string) => Promise<T>,
): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    const started = start(key);
    pending = started;
    cache.set(key, started);
    started.catch(() => {
      if (cache.get(key) === started) cache.delete(key);
    });
  }
  return pending;
}
