import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import type { Connection } from '../../../src/domain/connections/Connection';
import type { Scope } from '../../../src/domain/shared/Scope';
import { BrowseWorkspace } from '../../../src/domain/workspace/BrowseWorkspace';
import { EditWorkspace, type EditWorkspaceSettings } from '../../../src/domain/workspace/EditWorkspace';
import type { WorkspaceResult } from '../../../src/domain/workspace/WorkspaceResult';
import type { FileStore, FileStoreCapabilities } from '../../../src/ports/FileStore';
import type { MetadataRepo } from '../../../src/ports/MetadataRepo';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { metadataFixtures } from '../../ports/contracts/MetadataRepo.contract';

export interface WorkspaceHarnessOptions {
  readonly settings?: Partial<EditWorkspaceSettings>;
  readonly capabilities?: Partial<FileStoreCapabilities>;
  /** Wraps the in-memory store (e.g. to spy on or interfere with calls). */
  readonly wrapFiles?: (files: InMemoryFileStore) => FileStore;
  readonly metadata?: MetadataRepo;
  /** Replaces the default sleep, which records the wait and yields one macrotask. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** EditWorkspace and BrowseWorkspace over the in-memory adapters, with time that never moves. */
export function workspaceHarness(options: WorkspaceHarnessOptions = {}) {
  const clock = new ManualClock('2025-03-01T10:00:00.000Z');
  const store = new InMemoryFileStore({ now: () => clock.now(), capabilities: options.capabilities });
  const files = options.wrapFiles ? options.wrapFiles(store) : store;
  const metadata = options.metadata ?? new InMemoryMetadataRepo();
  const sleeps: number[] = [];
  const sleep =
    options.sleep ??
    (async (ms: number) => {
      sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    });
  const settings: EditWorkspaceSettings = { holderId: 'editor-1', leaseTtlMs: 30_000, ...options.settings };
  const ids = new SequentialIdGenerator();
  const edit = new EditWorkspace({ files, metadata, clock, ids, settings, sleep });
  const browse = new BrowseWorkspace({ files });
  return { clock, ids, store, files, metadata, sleeps, settings, edit, browse };
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const decode = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : new TextDecoder().decode(bytes);

/** A connection of the current shape, whatever fields it has grown. */
export function connectionOf(scope: Scope): Connection {
  return metadataFixtures.fullConnection(scope);
}

/** The value of a successful result; fails the test with the code and message otherwise. */
export function successValue<T>(result: WorkspaceResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.value;
}

/** The failure code of a result, or 'ok'. */
export function codeOf(result: WorkspaceResult<unknown>): string {
  return result.ok ? 'ok' : result.code;
}
