/**
 * The rule by which a FileStore finds a name stored in another Unicode normalisation form (see
 * FileStore): only a requested name in NFC stands for others, and only names that are not
 * themselves the requested one, but normalise to it, can be found for it.
 */

// ASCII names are the same in every normalisation form: no twin to look for, no folder to read.
const ASCII = /^[\x00-\x7f]*$/;

/** Whether a missing `requested` name may be found under another spelling. */
export function mayNameATwin(requested: string): boolean {
  return !ASCII.test(requested) && requested.normalize('NFC') === requested;
}

/** Whether `stored` is another spelling of the NFC name `requested`. */
function isTwinOf(stored: string, requested: string): boolean {
  return stored !== requested && stored.normalize('NFC') === requested;
}

/** The single name in `names` that is another spelling of `requested`, or null (none, or ambiguous). */
export function singleTwin(names: Iterable<string>, requested: string): string | null {
  let found: string | null = null;
  for (const name of names) {
    if (!isTwinOf(name, requested)) continue;
    if (found !== null) return null;
    found = name;
  }
  return found;
}
