// azurite (3.37.0, a dev dependency) ships JavaScript without type declarations. Only the parts EmbeddedAzurite uses
// are declared here; the constructor argument order follows dist/src/table/TableConfiguration.js.

declare module 'azurite/dist/src/table/TableConfiguration' {
  import type { Writable } from 'node:stream';

  export default class TableConfiguration {
    constructor(
      host?: string,
      port?: number,
      keepAliveTimeout?: number,
      metadataDBPath?: string,
      enableDebugLog?: boolean,
      enableAccessLog?: boolean,
      accessLogWriteStream?: Writable,
      debugLogFilePath?: string,
      loose?: boolean,
      skipApiVersionCheck?: boolean,
      cert?: string,
      key?: string,
      pwd?: string,
      oauth?: string,
      disableProductStyleUrl?: boolean,
      isMemoryPersistence?: boolean,
    );
  }
}

declare module 'azurite/dist/src/table/TableServer' {
  import type TableConfiguration from 'azurite/dist/src/table/TableConfiguration';

  export default class TableServer {
    constructor(configuration?: TableConfiguration);
    start(): Promise<void>;
    close(): Promise<void>;
    /** `http://<address>:<port>` of the listening socket; '' before start. */
    getHttpServerAddress(): string;
  }
}
