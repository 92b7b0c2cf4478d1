/**
 * Endings of formats that are compressed already: deflating them again costs time and saves
 * nothing, so they are stored as they are (Info-ZIP's `-n` does the same by suffix).
 */
const COMPRESSED_ENDINGS = new Set([
  // archives and compressed streams
  'zip',
  'gz',
  'tgz',
  'bz2',
  'tbz2',
  'xz',
  'txz',
  'zst',
  'lz4',
  'lzma',
  '7z',
  'rar',
  'cab',
  'jar',
  'war',
  'ear',
  'nupkg',
  'whl',
  'apk',
  // images, audio, video
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'heic',
  'mp3',
  'm4a',
  'aac',
  'ogg',
  'opus',
  'flac',
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  // office documents and fonts that are zip or compressed inside
  'docx',
  'xlsx',
  'pptx',
  'odt',
  'ods',
  'odp',
  'woff',
  'woff2',
]);

/** Whether a file of this name is better stored than deflated. */
export function isAlreadyCompressed(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot === -1 || dot < name.lastIndexOf('/')) return false;
  return COMPRESSED_ENDINGS.has(name.slice(dot + 1).toLowerCase());
}
