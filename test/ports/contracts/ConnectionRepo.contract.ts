import { describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { ConnectionRepo } from '../../../src/ports/ConnectionRepo';
import {
  at,
  freshStorePerTest,
  fullConnection,
  minimalConnection,
  ORG_A,
  ORG_B,
  type RepoFactory,
} from './MetadataRepo.fixtures';

/** The ConnectionRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeConnectionRepoContract(name: string, makeAdapter: RepoFactory<ConnectionRepo>): void {
  describe(`ConnectionRepo contract: ${name}`, () => {
    let repo: ConnectionRepo;
    freshStorePerTest(makeAdapter, (adapter) => {
      repo = adapter;
    });

    it('answers null and an empty list when nothing is stored', async () => {
      expect(await repo.getConnection(ORG_A)).toBeNull();
      expect(await repo.listConnections()).toEqual([]);
    });

    it('round-trips every field, optional ones and Dates included', async () => {
      await repo.saveConnection(fullConnection(ORG_A));
      await repo.saveConnection(minimalConnection(GLOBAL_SCOPE));

      const full = await repo.getConnection(ORG_A);
      expect(full).toStrictEqual(fullConnection(ORG_A));
      expect(full?.lastSyncAt).toBeInstanceOf(Date);
      expect(await repo.getConnection(GLOBAL_SCOPE)).toStrictEqual(minimalConnection(GLOBAL_SCOPE));
      const listed = await repo.listConnections();
      expect(listed.sort((a, b) => a.scope.localeCompare(b.scope))).toStrictEqual([
        minimalConnection(GLOBAL_SCOPE),
        fullConnection(ORG_A),
      ]);
    });

    it('replaces the whole connection on save, clearing optional fields', async () => {
      await repo.saveConnection(fullConnection(ORG_A));
      await repo.saveConnection(minimalConnection(ORG_A));
      expect(await repo.getConnection(ORG_A)).toStrictEqual(minimalConnection(ORG_A));
      expect(await repo.listConnections()).toHaveLength(1);
    });

    it('deletes one scope only, and deleting twice is harmless', async () => {
      await repo.saveConnection(fullConnection(ORG_A));
      await repo.saveConnection(fullConnection(ORG_B));
      await repo.deleteConnection(ORG_A);
      await repo.deleteConnection(ORG_A);
      expect(await repo.getConnection(ORG_A)).toBeNull();
      expect(await repo.getConnection(ORG_B)).toStrictEqual(fullConnection(ORG_B));
    });

    it('hands out copies: changing a returned Date does not change the store', async () => {
      await repo.saveConnection(fullConnection(ORG_A));
      const first = await repo.getConnection(ORG_A);
      first?.lastSyncAt?.setTime(0);
      expect((await repo.getConnection(ORG_A))?.lastSyncAt).toEqual(at(1_000));
    });
  });
}
