import { beforeEach, describe, expect, it } from 'vitest';
import { PreviewSync } from '../../../src/domain/connections/PreviewSync';
import { UpdateConnection } from '../../../src/domain/connections/UpdateConnection';
import type { Scope } from '../../../src/domain/shared/Scope';
import { type ConnectionWorld, connectionWorld } from '../../support/connectionWorld';
import { aConnection, aSyncCommand } from '../../support/mothers';

const ORG = 'org-1' as Scope;
const REPO = 'acme/scripts';
// Generated per run: tests never carry anything that looks like a real credential.
const TOKEN = `test-${globalThis.crypto.randomUUID()}`;

/** A token reference that resolves to nothing names the reference and where it was looked for. */
describe('TokenMissing', () => {
  let world: ConnectionWorld;
  const where = expect.stringContaining(`'lost-token' in the in-memory secret store`);

  beforeEach(async () => {
    world = connectionWorld();
    world.publish(REPO, TOKEN);
    world.commit(REPO, { 'a.ps1': 'a' });
    await world.secrets.set('webhook', 'not the token');
    await world.metadata.saveConnection(
      aConnection({ scope: ORG, repository: REPO, tokenRef: 'lost-token', webhookSecretRef: 'webhook' }),
    );
  });

  it('in a sync run', async () => {
    const result = await world
      .syncWorkspace()
      .execute(aSyncCommand({ scope: ORG, trigger: 'manual', requestedAt: world.clock.now().toISOString() }));
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'TokenMissing', retryable: false, message: where } });
  });

  it('in a preview and an update', async () => {
    expect(await new PreviewSync(world).execute({ scope: ORG })).toMatchObject({
      ok: false,
      code: 'TokenMissing',
      message: where,
    });
    expect(await new UpdateConnection(world).execute({ scope: ORG, branch: 'other' })).toMatchObject({
      ok: false,
      code: 'TokenMissing',
      message: where,
    });
  });
});
