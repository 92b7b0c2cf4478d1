import { errors } from './serviceErrors';

/**
 * Azure Files naming rules for directory and file names, from Microsoft's "Naming and referencing
 * shares, directories, files, and metadata": case-preserving and case-insensitive, at most 255
 * characters a component and 2,048 a path, at most 250 directories deep, none of `" \ / : | < > * ?`,
 * no control characters, no invalid Unicode (unpaired surrogates, private-use code points such as
 * U+E000), and not one of the reserved device names. Trailing dots are trimmed unless the request
 * says `x-ms-allow-trailing-dot: true`.
 */
const MAX_COMPONENT_LENGTH = 255;
const MAX_PATH_LENGTH = 2048;
const MAX_DEPTH = 250;

const RESERVED_CHARACTERS = /["\\/:|<>*?]/;
// C0 and C1 control characters, private-use code points, unpaired surrogates.
const INVALID_CODE_POINTS =
  /[\u0000-\u001f\u007f-\u009f\ue000-\uf8ff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const RESERVED_NAMES = new Set([
  ...['LPT', 'COM'].flatMap((device) => Array.from({ length: 9 }, (_, i) => `${device}${i + 1}`)),
  'PRN',
  'AUX',
  'NUL',
  'CON',
  'CLOCK$',
  '.',
  '..',
]);

/** How the service compares names: each character upper-cased on its own, no Unicode normalisation. */
export function foldName(name: string): string {
  let folded = '';
  for (const character of name) {
    const upper = character.toUpperCase();
    folded += upper.length === character.length ? upper : character;
  }
  return folded;
}

/** The path's components, checked against the naming rules ('' = the share root). */
export function componentsOf(path: string, options: { allowTrailingDot: boolean }): string[] {
  if (path === '') return [];
  if (path.length > MAX_PATH_LENGTH)
    throw errors.pathTooLong(
      `File or directory path is too long (${path.length} characters, at most ${MAX_PATH_LENGTH}).`,
    );
  const components = path.split('/').filter((component) => component !== '');
  if (components.length > MAX_DEPTH + 1)
    throw errors.pathTooLong('File or directory path has too many subdirectories.');
  return components.map((raw) => {
    const name = options.allowTrailingDot ? raw : raw.replace(/\.+$/, '');
    if (name === '' && raw !== '') {
      if (raw === '.' || raw === '..') throw errors.invalidResourceName(`'${raw}' is reserved`);
      throw errors.invalidResourceName(`'${raw}' is only dots`);
    }
    if (name.length > MAX_COMPONENT_LENGTH)
      throw errors.invalidResourceName(
        `a component is ${name.length} characters long (at most ${MAX_COMPONENT_LENGTH})`,
      );
    if (RESERVED_CHARACTERS.test(name)) throw errors.invalidResourceName(`'${name}' holds one of " \\ / : | < > * ?`);
    if (INVALID_CODE_POINTS.test(name))
      throw errors.invalidResourceName('a control character or an invalid code point');
    if (RESERVED_NAMES.has(foldName(name))) throw errors.invalidResourceName(`'${name}' is a reserved name`);
    return name;
  });
}
