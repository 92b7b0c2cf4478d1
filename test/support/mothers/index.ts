/** Object mothers: valid domain objects with sensible defaults, so a test states only what it is about. */
export { aConnection } from './aConnection';
export { aSyncCommand } from './aSyncCommand';
export { aSyncRun } from './aSyncRun';
