import { describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import { contentTag, tagMatches } from '../../../src/domain/workspace/ContentTag';
import { codeOf, decode, successValue, text, workspaceHarness } from './workspaceHarness';

const ORG = 'org-42' as Scope;

describe('contentTag', () => {
  it('is the hex SHA-256 of the bytes', async () => {
    expect(await contentTag(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await contentTag(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // A view into a larger buffer hashes only its own bytes.
    const big = text('xxabcxx');
    expect(await contentTag(big.subarray(2, 5))).toBe(await contentTag(text('abc')));
  });

  it('matches strongly: quotes and hex case tolerated, weak tags never', () => {
    const tag = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(tagMatches(tag, tag)).toBe(true);
    expect(tagMatches(`"${tag.toUpperCase()}"`, tag)).toBe(true);
    expect(tagMatches(`W/"${tag}"`, tag)).toBe(false);
    expect(tagMatches(`${tag.slice(1)}`, tag)).toBe(false);
    expect(tagMatches('', tag)).toBe(false);
  });
});

describe('BrowseWorkspace.list', () => {
  it('lists a missing scope folder as empty', async () => {
    const { browse } = workspaceHarness();
    expect(successValue(await browse.list(ORG, ''))).toEqual([]);
    expect(successValue(await browse.list(ORG, '', { recursive: true }))).toEqual([]);
  });

  it('lists entries relative to the scope folder, direct or recursive, and nothing of other scopes', async () => {
    const { browse, store, clock } = workspaceHarness();
    await store.write('orgs/org-42/a.ps1', text('aa'), { executable: true });
    await store.write('orgs/org-42/lib/b.py', text('bbb'));
    await store.write('orgs/org-420/leak.txt', text('no'));
    await store.write('global/g.txt', text('no'));
    expect(successValue(await browse.list(ORG, ''))).toEqual([
      { path: 'a.ps1', kind: 'file', size: 2, lastModified: clock.now(), executable: true },
      { path: 'lib', kind: 'directory', size: 0, lastModified: clock.now(), executable: false },
    ]);
    expect(successValue(await browse.list(ORG, '', { recursive: true })).map((e) => e.path)).toEqual([
      'a.ps1',
      'lib',
      'lib/b.py',
    ]);
    expect(successValue(await browse.list(ORG, 'lib/'))).toEqual([
      { path: 'lib/b.py', kind: 'file', size: 3, lastModified: clock.now(), executable: false },
    ]);
    expect(successValue(await browse.list(GLOBAL_SCOPE, '.')).map((e) => e.path)).toEqual(['g.txt']);
  });

  it('answers NotFound for a missing folder, NotAFolder for a file, InvalidPath for a refused path', async () => {
    const { browse, store } = workspaceHarness();
    await store.write('orgs/org-42/a.txt', text('a'));
    expect(codeOf(await browse.list(ORG, 'missing'))).toBe('NotFound');
    expect(codeOf(await browse.list(ORG, 'a.txt'))).toBe('NotAFolder');
    expect(await browse.list(ORG, '..')).toMatchObject({ ok: false, code: 'InvalidPath', reason: 'Traversal' });
    expect(await browse.list(ORG, 'a\u0000b')).toMatchObject({
      ok: false,
      code: 'InvalidPath',
      reason: 'ControlCharacter',
    });
  });
});

describe('BrowseWorkspace.read and head', () => {
  it('reads a file with its size, time, tag and executable bit', async () => {
    const { browse, store, clock } = workspaceHarness();
    await store.write('orgs/org-42/bin/run.sh', text('#!/bin/sh\n'), { executable: true });
    const file = successValue(await browse.read(ORG, 'bin/run.sh'));
    expect(decode(file.content)).toBe('#!/bin/sh\n');
    expect(file).toMatchObject({
      size: 10,
      lastModified: clock.now(),
      executable: true,
      etag: await contentTag(text('#!/bin/sh\n')),
    });
  });

  it('answers NotFound, NotAFile and InvalidPath', async () => {
    const { browse, store } = workspaceHarness();
    await store.createDirectory('orgs/org-42/dir');
    expect(codeOf(await browse.read(ORG, 'missing.txt'))).toBe('NotFound');
    expect(codeOf(await browse.read(ORG, 'dir'))).toBe('NotAFile');
    expect(codeOf(await browse.read(ORG, ''))).toBe('InvalidPath');
    expect(codeOf(await browse.read(ORG, 'C:/x'))).toBe('InvalidPath');
  });

  it('tells what is at a path without reading it', async () => {
    const { browse, store, clock } = workspaceHarness();
    await store.write('orgs/org-42/dir/a.txt', text('abc'));
    expect(successValue(await browse.head(ORG, 'dir/a.txt'))).toEqual({
      path: 'dir/a.txt',
      kind: 'file',
      size: 3,
      lastModified: clock.now(),
      executable: false,
    });
    expect(successValue(await browse.head(ORG, 'dir')).kind).toBe('directory');
    expect(successValue(await browse.head(ORG, '')).kind).toBe('directory');
    expect(codeOf(await browse.head(ORG, 'nope'))).toBe('NotFound');
    expect(codeOf(await browse.head(GLOBAL_SCOPE, ''))).toBe('NotFound');
  });
});
