import { afterEach, describe, expect, it } from 'vitest';
import { type SecretStore, SecretStoreReadOnlyError } from '../../../src/ports/SecretStore';

export interface SecretStoreFixture {
  readonly adapter: SecretStore;
  readonly cleanup?: () => Promise<void>;
  /** Another instance over the same storage (a second process), when the adapter has storage. */
  readonly reopen?: () => Promise<SecretStore>;
}

export interface SecretStoreContractOptions {
  /** Whether `set` stores secrets (false: it must refuse). */
  readonly writable: boolean;
}

/** Values that break naive quoting, encoding or line handling. */
const AWKWARD_VALUES: Readonly<Record<string, string>> = {
  'pem-key': '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\r\nline3==\n-----END RSA PRIVATE KEY-----\n',
  unicode: 'pässwörd ✓ 秘密 🔑 \u00a0nbsp',
  quoting: `"quotes" 'single' \\back\\slash {"json":true} \${notAVariable} $HOME`,
  padded: '  leading and trailing spaces  ',
};

/**
 * The behaviour every SecretStore adapter must show. `makeAdapter(initial)` returns a store that
 * already holds `initial` (seeded however the adapter's storage is seeded: env record, file ...).
 */
export function describeSecretStoreContract(
  name: string,
  makeAdapter: (initial: Readonly<Record<string, string>>) => Promise<SecretStoreFixture>,
  options: SecretStoreContractOptions,
): void {
  describe(`SecretStore contract: ${name}`, () => {
    let cleanups: Array<() => Promise<void>> = [];

    async function open(initial: Readonly<Record<string, string>> = {}): Promise<SecretStoreFixture> {
      const fixture = await makeAdapter(initial);
      if (fixture.cleanup) cleanups.push(fixture.cleanup);
      return fixture;
    }

    afterEach(async () => {
      for (const cleanup of cleanups) await cleanup();
      cleanups = [];
    });

    it('answers null for an unknown reference', async () => {
      const { adapter } = await open({ 'known-secret': 'value' });
      expect(await adapter.get('unknown-secret')).toBeNull();
      expect(await adapter.get('KNOWN-SECRET-NOT')).toBeNull();
      expect(await adapter.get('__proto__')).toBeNull();
      expect(await adapter.get('toString')).toBeNull();
    });

    it('says where a reference is looked for: names it, never a value', async () => {
      const { adapter } = await open({ 'github-pat': 'ghp_seeded0123456789' });
      for (const ref of ['github-pat', 'not-there']) {
        const where = adapter.locate(ref);
        expect(where).toContain(ref);
        expect(where).not.toContain('ghp_seeded0123456789');
      }
    });

    it('returns secrets the storage already holds, byte for byte', async () => {
      const { adapter } = await open({ 'github-pat': 'ghp_seeded0123456789', ...AWKWARD_VALUES });
      expect(await adapter.get('github-pat')).toBe('ghp_seeded0123456789');
      for (const [ref, value] of Object.entries(AWKWARD_VALUES)) expect(await adapter.get(ref)).toBe(value);
    });

    if (options.writable) {
      it('returns a reference from set that get resolves to the value', async () => {
        const { adapter } = await open();
        const ref = await adapter.set('conn-acme-pat', 'ghp_new_value');
        expect(typeof ref).toBe('string');
        expect(await adapter.get(ref)).toBe('ghp_new_value');
      });

      it('overwrites a secret', async () => {
        const { adapter } = await open({ 'webhook-secret': 'first' });
        const ref = await adapter.set('webhook-secret', 'second');
        expect(await adapter.get(ref)).toBe('second');
      });

      it('stores unicode, newlines, quotes and padding unchanged', async () => {
        const { adapter } = await open();
        for (const [secretName, value] of Object.entries(AWKWARD_VALUES)) {
          const ref = await adapter.set(secretName, value);
          expect(await adapter.get(ref)).toBe(value);
        }
      });

      it('leaves other secrets alone when setting one', async () => {
        const { adapter } = await open({ keep: 'kept' });
        await adapter.set('added', 'new');
        await Promise.all([adapter.set('parallel-1', 'one'), adapter.set('parallel-2', 'two')]);
        expect(await adapter.get('keep')).toBe('kept');
        expect(await adapter.get('added')).toBe('new');
        expect(await adapter.get('parallel-1')).toBe('one');
        expect(await adapter.get('parallel-2')).toBe('two');
      });

      it('deletes a secret so get answers null, and leaves the others alone', async () => {
        const { adapter } = await open({ 'seeded-pat': 'ghp_seeded', keep: 'kept' });
        const ref = await adapter.set('conn-acme-webhook', 'whsec');
        await adapter.delete(ref);
        await adapter.delete('seeded-pat');
        expect(await adapter.get(ref)).toBeNull();
        expect(await adapter.get('seeded-pat')).toBeNull();
        expect(await adapter.get('keep')).toBe('kept');
      });

      it('resolves a delete of a reference that holds nothing, also twice', async () => {
        const { adapter } = await open({ keep: 'kept' });
        await expect(adapter.delete('never-stored')).resolves.toBeUndefined();
        const ref = await adapter.set('short-lived', 'value');
        await adapter.delete(ref);
        await expect(adapter.delete(ref)).resolves.toBeUndefined();
        expect(await adapter.get('keep')).toBe('kept');
      });

      it('stores a new value under a name that was deleted (a scope connected again)', async () => {
        const { adapter } = await open();
        const ref = await adapter.set('github-token-again', 'first');
        await adapter.delete(ref);
        const again = await adapter.set('github-token-again', 'second');
        expect(again).toBe(ref);
        expect(await adapter.get(again)).toBe('second');
      });

      it('keeps sets and deletes made at once apart', async () => {
        const { adapter } = await open({ doomed: 'x', keep: 'kept' });
        await Promise.all([adapter.delete('doomed'), adapter.set('born', 'new'), adapter.delete('never-there')]);
        expect(await adapter.get('doomed')).toBeNull();
        expect(await adapter.get('born')).toBe('new');
        expect(await adapter.get('keep')).toBe('kept');
      });

      it('lets a second instance on the same storage see a delete', async (context) => {
        const { adapter, reopen } = await open({ shared: 'initial' });
        if (!reopen) context.skip('adapter has no shared storage to reopen');
        const second = await reopen!();
        expect(await second.get('shared')).toBe('initial'); // read once, so any cache is warm
        await adapter.delete('shared');
        expect(await second.get('shared')).toBeNull();
      });

      it('lets a second instance on the same storage see values and later changes', async (context) => {
        const { adapter, reopen } = await open({ shared: 'initial' });
        if (!reopen) context.skip('adapter has no shared storage to reopen');
        const second = await reopen!();
        expect(await second.get('shared')).toBe('initial'); // read once, so any cache is warm
        const ref = await adapter.set('shared', 'changed by the first instance');
        expect(await second.get(ref)).toBe('changed by the first instance');
        const otherRef = await second.set('from-second', 'written by the second instance');
        expect(await adapter.get(otherRef)).toBe('written by the second instance');
      });
    } else {
      it('refuses set without echoing the value, and stores nothing', async () => {
        const { adapter } = await open();
        const error: unknown = await adapter.set('new-secret', 'do-not-print-me').then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/read-only/i);
        expect((error as Error).message).not.toContain('do-not-print-me');
        expect(await adapter.get('new-secret')).toBeNull();
      });

      it('refuses delete with SecretStoreReadOnlyError, and keeps the secret', async () => {
        const { adapter } = await open({ 'shared-token': 'still-here' });
        await expect(adapter.delete('shared-token')).rejects.toBeInstanceOf(SecretStoreReadOnlyError);
        await expect(adapter.delete('never-stored')).rejects.toBeInstanceOf(SecretStoreReadOnlyError);
        expect(await adapter.get('shared-token')).toBe('still-here');
      });
    }
  });
}
