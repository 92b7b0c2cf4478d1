/**
 * `second`'s value once both promises settled, else the first one's failure, then the second's.
 * Two saves run side by side this way never leave one still in flight behind a failure, whose
 * handling might save over it.
 */
export async function bothSettled<T>(first: Promise<unknown>, second: Promise<T>): Promise<T> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return b.value;
}
