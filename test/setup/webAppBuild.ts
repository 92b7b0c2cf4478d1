import { ensureWebAppBuilt } from '../e2e/webApp';

/**
 * Global setup: the web app is built (when its sources changed) once, before any test file runs.
 * Test files that serve it run in parallel; had each built it on demand, one build emptying
 * client/dist could pull the assets from under a page another file had just loaded.
 */
export default function setup(): void {
  ensureWebAppBuilt();
}
