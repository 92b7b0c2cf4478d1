import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonFromFreshProcess } from '../support/freshProcess';
import { SERVICE_MAIN } from '../support/serviceProcess';

const DIST_SRC = resolve(SERVICE_MAIN, '../..');
const compiled = (path: string) => JSON.stringify(resolve(DIST_SRC, path));

/**
 * In a fresh process (Node loads the global Request's implementation once per process): the warm-up,
 * on in-memory stores, leaves undici loaded, as the first HTTP trigger would otherwise do.
 */
describe('warmUp in a fresh process', () => {
  it('loads the implementation of the Request class HTTP triggers build on', async () => {
    if (!existsSync(resolve(DIST_SRC, 'functions/warmup.js'))) throw new Error('dist/ is missing: run npm run build');
    const script = `
      const { warmUp } = require(${compiled('functions/warmup.js')});
      const { InProcessCommandQueue } = require(${compiled('adapters/in-process-queue/InProcessCommandQueue.js')});
      const { InMemoryMetadataRepo } = require(${compiled('adapters/in-memory/InMemoryMetadataRepo.js')});
      const { InMemorySecretStore } = require(${compiled('adapters/in-memory/InMemorySecretStore.js')});
      const undici = () => process.moduleLoadList.some((name) => name.includes('undici'));
      const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
      (async () => {
        const before = undici();
        await warmUp({
          queue: new InProcessCommandQueue({ duplicateWindowMs: 1000, maxDeliveryCount: 3, retryBaseMs: 10 }),
          connections: new InMemoryMetadataRepo(),
          secrets: new InMemorySecretStore(),
          logger,
        });
        process.stdout.write(JSON.stringify({ before, after: undici() }));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    expect(await jsonFromFreshProcess(script, { PATH: process.env.PATH })).toEqual({ before: false, after: true });
  });
});
