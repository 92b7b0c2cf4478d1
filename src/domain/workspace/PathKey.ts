/**
 * The identity a store gives a path: the path itself on a case-sensitive store, a case-folded form
 * on a case-insensitive one (Windows, Azure Files), where `A.txt` and `a.txt` are one file.
 */

/**
 * Folds one segment both ways (upper, then lower) so pairs such as 'σ'/'ς' or 'k'/U+212A (Kelvin sign) land
 * on one key. It over-folds a few names ('ß' and 'ss'), which at worst skips a file as colliding;
 * under-folding would let two target files overwrite each other on every sync.
 */
function foldSegment(segment: string): string {
  return segment.toUpperCase().toLowerCase();
}

/** Key under which `path` is one entry in a store with the given case sensitivity. */
export function pathKey(path: string, caseSensitive: boolean): string {
  return caseSensitive ? path : path.split('/').map(foldSegment).join('/');
}

/** 'a/b/c' -> ['a', 'a/b']: every folder the path needs, outermost first. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  let index = path.indexOf('/');
  while (index !== -1) {
    result.push(path.slice(0, index));
    index = path.indexOf('/', index + 1);
  }
  return result;
}

/** Plain code-unit order: locale-independent, so plans are the same on every machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
