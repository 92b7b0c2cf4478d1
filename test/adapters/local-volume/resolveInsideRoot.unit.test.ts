import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNormalRelativePath, resolveInsideRoot } from '../../../src/adapters/local-volume/resolveInsideRoot';
import { FileStoreError } from '../../../src/ports/FileStore';

const ROOT = '/srv/workspace';

/** What the store path resolves to by path.resolve and path.relative alone: the reference. */
function reference(storePath: string): { absolute: string; relative: string } {
  const absolute = path.resolve(ROOT, storePath);
  return { absolute, relative: path.relative(ROOT, absolute).split(path.sep).join('/') };
}

describe('resolveInsideRoot', () => {
  it('resolves paths in normal form and any other spelling exactly as path.resolve does', () => {
    const paths = [
      'a.ps1',
      'orgs/acme/scripts/run.ps1',
      'orgs/acme/.hidden/x',
      'orgs/acme/..x/y',
      'orgs/acme/x../y',
      'a b/c\td',
      'a//b',
      'a/./b',
      './a',
      'a/',
      'a/b/../c',
      '.',
      '',
    ];
    for (const storePath of paths) expect(resolveInsideRoot(ROOT, storePath), storePath).toEqual(reference(storePath));
  });

  it('resolves below a root given with a trailing slash, or the file system root, as path.resolve does', () => {
    for (const root of [`${ROOT}/`, '/']) {
      const absolute = path.resolve(root, 'a/b.ps1');
      expect(resolveInsideRoot(root, 'a/b.ps1')).toEqual({ absolute, relative: 'a/b.ps1' });
    }
  });

  it('takes only paths that resolve to themselves as normal', () => {
    expect(['a', 'a/b.c', '.a/..b/c..', 'a b/c'].filter(isNormalRelativePath)).toHaveLength(4);
    const odd = ['', '/a', 'a/', 'a//b', '.', './a', 'a/.', '..', 'a/../b', 'a\\b', 'a\0b'];
    expect(odd.filter(isNormalRelativePath)).toEqual([]);
  });

  it('refuses what leaves the root or names the private folder, in any spelling', () => {
    for (const storePath of [
      '..',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a\0b',
      '.workspace-sync',
      '.Workspace-Sync/tmp/x',
    ]) {
      expect(() => resolveInsideRoot(ROOT, storePath), storePath).toThrow(FileStoreError);
    }
    expect(resolveInsideRoot(ROOT, '.workspace-sync/staging/x').relative).toBe('.workspace-sync/staging/x');
  });
});
