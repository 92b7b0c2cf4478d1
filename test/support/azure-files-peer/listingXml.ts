import type { PeerNode } from './shareTree';

const escapeXml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
}

export interface ListingXmlInput {
  readonly serviceEndpoint: string;
  readonly shareName: string;
  readonly directoryPath: string;
  readonly directoryId: string;
  readonly prefix: string | null;
  readonly marker: string | null;
  readonly maxResults: number | null;
  readonly entries: readonly PeerNode[];
  readonly nextMarker: string;
  /** include=Timestamps (or x-ms-file-extended-info: true): each entry carries its times and ETag. */
  readonly timestamps: boolean;
}

/** The body of List Directories and Files, as the REST reference shows it. */
export function listingXml(input: ListingXmlInput): string {
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<EnumerationResults ServiceEndpoint="${escapeXml(input.serviceEndpoint)}" ShareName="${escapeXml(input.shareName)}" DirectoryPath="${escapeXml(input.directoryPath)}">`,
  ];
  if (input.prefix !== null) parts.push(`<Prefix>${escapeXml(input.prefix)}</Prefix>`);
  if (input.marker !== null) parts.push(`<Marker>${escapeXml(input.marker)}</Marker>`);
  if (input.maxResults !== null) parts.push(`<MaxResults>${input.maxResults}</MaxResults>`);
  parts.push(`<DirectoryId>${input.directoryId}</DirectoryId>`, '<Entries>');
  for (const entry of input.entries) {
    const element = entry.kind === 'file' ? 'File' : 'Directory';
    const properties: string[] = [];
    if (entry.kind === 'file') properties.push(`<Content-Length>${entry.content.length}</Content-Length>`);
    if (input.timestamps) {
      const created = entry.createdAt.toISOString();
      const written = entry.lastModified.toISOString();
      properties.push(
        `<CreationTime>${created}</CreationTime>`,
        `<LastAccessTime>${written}</LastAccessTime>`,
        `<LastWriteTime>${written}</LastWriteTime>`,
        `<ChangeTime>${written}</ChangeTime>`,
        `<Last-Modified>${entry.lastModified.toUTCString()}</Last-Modified>`,
        `<Etag>${escapeXml(entry.etag)}</Etag>`,
      );
    }
    parts.push(
      `<${element}><FileId>${entry.id}</FileId><Name>${escapeXml(entry.name)}</Name><Properties>${properties.join('')}</Properties>`,
      input.timestamps ? `<Attributes>${entry.kind === 'file' ? 'Archive' : 'Directory'}</Attributes>` : '',
      `</${element}>`,
    );
  }
  parts.push('</Entries>', `<NextMarker>${escapeXml(input.nextMarker)}</NextMarker>`, '</EnumerationResults>');
  return parts.join('');
}
