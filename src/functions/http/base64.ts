/**
 * Standard base64 with padding. Checked with a scan for a bad character rather than one pattern for
 * the whole text: a repeated group overflows the regex stack on a body of a few megabytes.
 */
export function isBase64(text: string): boolean {
  if (text.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(text)) return false;
  const padding = text.indexOf('=');
  return padding === -1 || (padding >= text.length - 2 && /^=+$/.test(text.slice(padding)));
}
