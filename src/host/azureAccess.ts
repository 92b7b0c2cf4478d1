import type { TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

/**
 * How the Azure SDK clients the configuration asks for sign in with Entra ID: Tables through
 * TABLES_ENDPOINT, Service Bus through `<SERVICEBUS_CONNECTION_SETTING>__fullyQualifiedNamespace`,
 * Key Vault through KEY_VAULT_URL. One credential serves them all, so its token cache is shared.
 */
export interface AzureAccess {
  /** Called only when an identity-based client is made. */
  credential(): TokenCredential;
  /** Options for the Tables clients made with the credential; none in production. */
  readonly tablesOptions?: TableServiceClientOptions;
}

/**
 * DefaultAzureCredential: in Azure the managed identity (the user-assigned one whose client id
 * AZURE_CLIENT_ID holds, else the system-assigned one); elsewhere AZURE_* variables or the Azure
 * CLI login. The identity library is loaded on first use only: it adds ~180 ms to every start, and
 * connection strings (npm start, the emulators) never need it.
 */
export function defaultAzureAccess(): AzureAccess {
  let credential: TokenCredential | undefined;
  return {
    credential() {
      if (credential === undefined) {
        const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
        credential = new DefaultAzureCredential();
      }
      return credential;
    },
  };
}
