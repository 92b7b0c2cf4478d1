import type { TokenCredential } from '@azure/identity';
import { type ShareClient, type ShareClientOptions, ShareServiceClient } from '@azure/storage-file-share';

export type ShareAccess =
  | { readonly connectionString: string; readonly shareName: string }
  | { readonly accountUrl: string; readonly shareName: string; readonly credential: TokenCredential };

/**
 * A client for one share: with a connection string (account key or SAS), or with an Entra identity.
 * Identity-based access to file data over REST must declare its intent (`x-ms-file-request-intent:
 * backup`), else the service refuses every data call; the identity needs a Files data role such as
 * "Storage File Data Privileged Contributor". Trailing dots in names are kept as given: by default
 * the service trims them, which would make `a.` and `a` the same file.
 */
export function createShareClient(access: ShareAccess, options: ShareClientOptions = {}): ShareClient {
  const common: ShareClientOptions = { allowTrailingDot: true, allowSourceTrailingDot: true, ...options };
  if ('connectionString' in access) {
    return ShareServiceClient.fromConnectionString(access.connectionString, common).getShareClient(access.shareName);
  }
  return new ShareServiceClient(access.accountUrl, access.credential, {
    ...common,
    fileRequestIntent: 'backup',
  }).getShareClient(access.shareName);
}
