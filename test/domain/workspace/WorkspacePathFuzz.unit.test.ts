import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import type { Scope } from '../../../src/domain/shared/Scope';
import { isInside } from '../../../src/domain/workspace/PathPolicy';
import type { WorkspaceResult } from '../../../src/domain/workspace/WorkspaceResult';
import type { FileStore } from '../../../src/ports/FileStore';
import { text, workspaceHarness } from './workspaceHarness';

const SCOPE = 'org-1' as Scope;
const FOLDER = 'orgs/org-1';

// Pieces that have broken path handling somewhere: traversal, both separators, NUL, Unicode that
// normalises or is malformed, device names, drive letters, names of neighbouring scope folders.
const PIECES = [
  '..',
  '.',
  '',
  '/',
  '\\',
  '\u0000',
  'a',
  'B',
  'é',
  'e\u0301',
  '😀',
  '\ud800',
  'CON',
  'nul.txt',
  ' ',
  'x.',
  'C:',
  '~',
  '%2e%2e',
  '..\\..',
  'org-10',
  'org-2',
  'orgs',
  'global',
  '.workspace-sync',
  'inside',
  'keep.txt',
  'dir',
  'x'.repeat(120),
  'y'.repeat(300),
  '\u202e',
  '*',
  '\u3000',
  '\u212a',
  'ǅ',
];

const piece = fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary', maxLength: 8 }));
const path = fc.oneof(
  fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('/')),
  fc
    .tuple(fc.array(piece, { maxLength: 6 }), fc.constantFrom('/', '\\', '//', '/./', '/../'))
    .map(([parts, sep]) => parts.join(sep)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 200, maxLength: 1200 }),
);

type Operation =
  | { op: 'save'; path: string; executable: boolean; create: boolean }
  | { op: 'deleteFile'; path: string }
  | { op: 'createFolder'; path: string }
  | { op: 'deleteFolder'; path: string; recursive: boolean }
  | { op: 'move'; from: string; to: string; overwrite: boolean }
  | { op: 'list'; path: string; recursive: boolean }
  | { op: 'read'; path: string }
  | { op: 'head'; path: string };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ op: fc.constant('save' as const), path, executable: fc.boolean(), create: fc.boolean() }),
  fc.record({ op: fc.constant('deleteFile' as const), path }),
  fc.record({ op: fc.constant('createFolder' as const), path }),
  fc.record({ op: fc.constant('deleteFolder' as const), path, recursive: fc.boolean() }),
  fc.record({ op: fc.constant('move' as const), from: path, to: path, overwrite: fc.boolean() }),
  fc.record({ op: fc.constant('list' as const), path, recursive: fc.boolean() }),
  fc.record({ op: fc.constant('read' as const), path }),
  fc.record({ op: fc.constant('head' as const), path }),
);

/** Records every path argument the use cases hand to the store. */
function spying(store: InMemoryFileStore, touched: string[]): FileStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const member = Reflect.get(target, key, receiver) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        for (const arg of args) if (typeof arg === 'string') touched.push(arg);
        return (member as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Every entry outside the scope folder, with the bytes of files. */
async function outside(store: InMemoryFileStore): Promise<Map<string, string>> {
  const view = new Map<string, string>();
  for (const entry of await store.list('', { recursive: true })) {
    if (entry.path === FOLDER || isInside(FOLDER, entry.path)) continue;
    const bytes = entry.kind === 'file' ? await store.read(entry.path) : null;
    view.set(
      entry.path,
      `${entry.kind}:${entry.executable}:${bytes === null ? '' : Buffer.from(bytes).toString('hex')}`,
    );
  }
  return view;
}

describe('workspace paths under fuzzing', () => {
  it('never reads or writes outside the scope folder, and refuses bad paths as values, never by throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom(4096, 260),
        async (operations, caseSensitive, maxPathLength) => {
          const touched: string[] = [];
          const { edit, browse, store } = workspaceHarness({
            capabilities: { caseSensitive, maxPathLength },
            wrapFiles: (inner) => spying(inner, touched),
          });
          await store.write(`${FOLDER}/inside/keep.txt`, text('keep'));
          await store.write(`${FOLDER}/inside/dir/x.txt`, text('x'));
          await store.write('orgs/org-10/secret.txt', text('sibling with a common prefix'));
          await store.write('orgs/org-2/secret.txt', text('another scope'), { executable: true });
          await store.write('global/secret.txt', text('global scope'));
          await store.write('orgs.txt', text('store root'));
          await store.write('.workspace-sync/staging/global/run/x.txt', text('staging'));
          await store.createDirectory('orgs/empty-neighbour');
          const before = await outside(store);

          for (const step of operations) {
            let result: WorkspaceResult<unknown>;
            switch (step.op) {
              case 'save':
                result = await edit.save(SCOPE, step.path, text(`saved ${step.path}`), {
                  executable: step.executable,
                  ...(step.create ? { ifNoneMatch: '*' as const } : {}),
                });
                break;
              case 'deleteFile':
                result = await edit.deleteFile(SCOPE, step.path);
                break;
              case 'createFolder':
                result = await edit.createFolder(SCOPE, step.path);
                break;
              case 'deleteFolder':
                result = await edit.deleteFolder(SCOPE, step.path, { recursive: step.recursive });
                break;
              case 'move':
                result = await edit.move(SCOPE, step.from, step.to, { overwrite: step.overwrite });
                break;
              case 'list':
                result = await browse.list(SCOPE, step.path, { recursive: step.recursive });
                break;
              case 'read':
                result = await browse.read(SCOPE, step.path);
                break;
              case 'head':
                result = await browse.head(SCOPE, step.path);
                break;
            }
            expect(typeof result.ok).toBe('boolean');
          }

          expect(await outside(store)).toEqual(before);
          const strays = touched.filter((p) => p !== FOLDER && !isInside(FOLDER, p));
          expect(strays).toEqual([]);
          // The scope folder itself survives every edit.
          expect((await store.stat(FOLDER))?.kind).toBe('directory');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('accepts the plain paths the fuzzer mixes in, so the property is not vacuous', async () => {
    const { edit, store } = workspaceHarness();
    expect((await edit.save(SCOPE, 'inside/dir/é/😀.txt', text('ok'))).ok).toBe(true);
    expect((await edit.move(SCOPE, 'inside/dir', 'org-2/dir')).ok).toBe(true);
    expect((await store.stat(`${FOLDER}/org-2/dir/é/😀.txt`))?.kind).toBe('file');
    expect(await store.stat('orgs/org-2/dir')).toBeNull();
  });
});
