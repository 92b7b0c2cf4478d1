/**
 * Another process holds what this start needs (the HTTP port, the embedded Azurite's folder): not a
 * fault to print with a stack, but one line saying which setting to change.
 */
export class StartupConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupConflictError';
  }
}
