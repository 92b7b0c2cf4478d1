import { describe, expect, it } from 'vitest';
import { readTreeListing } from '../../../src/adapters/github/treeListing';
import { SourceError } from '../../../src/ports/SourceRepository';

const TREE_SHA = 'a'.repeat(40);
const BLOB_SHA = 'b'.repeat(40);
const ENTRY = { path: 'run.ps1', mode: '100644', type: 'blob', sha: BLOB_SHA, size: 12 };

const body = (text: string): Uint8Array => new TextEncoder().encode(text);

/** An answer laid out as GitHub writes it: sha, url, tree, truncated. */
const github = (tree: string, truncated: boolean): Uint8Array =>
  body(`{"sha":"${TREE_SHA}","url":"https://api.github.com/x","tree":${tree},"truncated":${truncated}}`);

describe('readTreeListing', () => {
  it('reads a complete answer entry by entry', () => {
    expect(readTreeListing(github(JSON.stringify([ENTRY]), false), 'listing')).toEqual({
      sha: TREE_SHA,
      entries: [{ path: 'run.ps1', mode: '100644', type: 'blob', sha: BLOB_SHA, size: 12 }],
      truncated: false,
    });
  });

  it("puts the entries of a folder's listing under the folder's path", () => {
    const listing = readTreeListing(github(JSON.stringify([ENTRY]), false), 'listing', 'pkg/mod');
    expect(listing).toMatchObject({ entries: [{ path: 'pkg/mod/run.ps1', sha: BLOB_SHA }] });
  });

  it("recognises a truncated answer in GitHub's layout from its ends, without reading its entries", () => {
    // Entries that would fail the check were they read: they are not, as nobody uses a partial tree.
    const listing = readTreeListing(github('[{"path":""},{"no":"entry"}]', true), 'listing');
    expect(listing).toEqual({ sha: TREE_SHA, truncated: true });
  });

  it('parses a truncated answer laid out otherwise, and finds it truncated all the same', () => {
    const reordered = body(`{"truncated":true,"tree":${JSON.stringify([ENTRY])},"sha":"${TREE_SHA}"}`);
    expect(readTreeListing(reordered, 'listing')).toEqual({ sha: TREE_SHA, truncated: true });
    const spaced = body(JSON.stringify({ tree: [ENTRY], truncated: true }, null, 2));
    expect(readTreeListing(spaced, 'listing')).toEqual({ truncated: true });
  });

  it('does not take another member that ends the answer like a truncated one for the flag', () => {
    // The last key is `x"truncated`, escaped in the JSON as x\"truncated: the answer is complete.
    const text = `{"sha":"${TREE_SHA}","tree":${JSON.stringify([ENTRY])},"x\\"truncated":true}`;
    expect(readTreeListing(body(text), 'listing')).toMatchObject({ truncated: false, entries: [{ path: 'run.ps1' }] });
  });

  it('answers Unavailable for a body that is not JSON or not a tree answer', () => {
    for (const text of ['<html>busy</html>', '{"message":"x"}', `{"sha":"${TREE_SHA}","tree":[{"path":""}]`]) {
      expect(() => readTreeListing(body(text), 'listing')).toThrow(SourceError);
    }
  });
});
