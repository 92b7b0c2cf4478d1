/**
 * Faithfulness: every JSON answer of the GitHub peer must validate against GitHub's own published
 * OpenAPI description (api.github.com, from @octokit/openapi), for the status it was sent with,
 * and that status must be one GitHub documents for the operation.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../support/github-peer/runGit';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, JsonObject> }>>;
  components: { schemas: Record<string, JsonObject>; responses: Record<string, JsonObject> };
}

const SPEC_FILE = join(__dirname, '../../node_modules/@octokit/openapi/generated/api.github.com.json');
const TOKEN = 'ghp_openapiPeerToken000000000000000000000';
const READER = 'ghp_openapiReaderToken0000000000000000000';

/** Keywords whose values are schemas, or maps/arrays of schemas (OpenAPI 3.0 subset of JSON Schema). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_VALUES = new Set(['items', 'not', 'additionalProperties']);

/**
 * OpenAPI 3.0 `nullable: true` is not JSON Schema (ajv refuses it without a sibling `type`);
 * express it as `anyOf: [null, schema]`, which is exactly what it means. Nothing else changes.
 */
function toJsonSchema(schema: Json): Json {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  return schema.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

/** Names of every component schema reachable from `root` through `$ref`s. */
function referencedSchemas(spec: OpenApiDocument, root: Json, into = new Set<string>()): Set<string> {
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!into.has(name)) {
          into.add(name);
          visit(spec.components.schemas[name]!);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(root);
  return into;
}

/** Validators for the response schemas of the operations the peer serves. */
class GitHubResponseSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly documented = new Map<string, Set<string>>();

  constructor(spec: OpenApiDocument, operations: ReadonlyArray<readonly [method: string, path: string]>) {
    addFormats(this.ajv);
    const responses: JsonObject = {};
    const roots: Json[] = [];
    for (const [method, path] of operations) {
      const operation = spec.paths[path]?.[method.toLowerCase()];
      if (!operation) throw new Error(`${method} ${path} is not in GitHub's OpenAPI description`);
      this.documented.set(`${method} ${path}`, new Set(Object.keys(operation.responses)));
      for (const [status, response] of Object.entries(operation.responses)) {
        const resolved =
          typeof response.$ref === 'string' ? spec.components.responses[response.$ref.split('/').pop()!]! : response;
        const content = resolved.content as { [type: string]: { schema: Json } } | undefined;
        const schema = content?.['application/json']?.schema;
        if (schema === undefined) continue;
        const key = `${method} ${path} ${status}`;
        responses[String(Object.keys(responses).length)] = schema;
        roots.push(schema);
        this.validators.set(key, undefined as unknown as ValidateFunction); // compiled below
      }
    }
    // One document holding only what these operations reference, so `$ref`s resolve inside it.
    const names = new Set<string>();
    for (const root of roots) referencedSchemas(spec, root, names);
    const convert = (entries: Array<[string, Json]>): JsonObject =>
      Object.fromEntries(entries.map(([key, schema]) => [key, toJsonSchema(schema)]));
    const document = {
      $id: 'github',
      definitions: convert(Object.entries(responses)),
      components: { schemas: convert([...names].map((name) => [name, spec.components.schemas[name]!])) },
    };
    this.ajv.addSchema(document);
    let index = 0;
    for (const key of this.validators.keys()) {
      this.validators.set(key, this.ajv.compile({ $ref: `github#/definitions/${index++}` }));
    }
  }

  /** Validation errors (empty when valid) of a JSON answer, against the operation's schema. */
  errors(method: string, path: string, status: number, body: unknown): string[] {
    const documented = this.documented.get(`${method} ${path}`);
    if (!documented) throw new Error(`operation not loaded: ${method} ${path}`);
    if (!documented.has(String(status)))
      return [`status ${status} is not documented (documented: ${[...documented].join(', ')})`];
    const validate = this.validators.get(`${method} ${path} ${status}`);
    if (!validate) return body === undefined ? [] : [`status ${status} documents no JSON body`];
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

const OPERATIONS = [
  ['GET', '/repos/{owner}/{repo}'],
  ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
  ['GET', '/repos/{owner}/{repo}/git/ref/{ref}'],
  ['GET', '/repos/{owner}/{repo}/commits/{ref}'],
  ['GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
  ['GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}'],
  ['GET', '/repos/{owner}/{repo}/tarball/{ref}'],
  ['GET', '/repos/{owner}/{repo}/hooks'],
  ['POST', '/repos/{owner}/{repo}/hooks'],
  ['GET', '/repos/{owner}/{repo}/hooks/{hook_id}'],
  ['PATCH', '/repos/{owner}/{repo}/hooks/{hook_id}'],
  ['DELETE', '/repos/{owner}/{repo}/hooks/{hook_id}'],
  ['GET', '/rate_limit'],
  ['GET', '/user'],
] as const;

let schemas: GitHubResponseSchemas;
let repo: GitRepo;
let peer: GitHubPeer;
let head: string;
let blobSha: string;

interface Call {
  readonly name: string;
  readonly operation: readonly [string, string];
  readonly url: string;
  readonly expectedStatus: number;
  readonly method?: string;
  readonly token?: string | null;
  readonly body?: unknown;
}

async function call(c: Call): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  const token = c.token === undefined ? TOKEN : c.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${peer.url}${c.url}`, {
    method: c.method ?? 'GET',
    headers,
    redirect: 'manual',
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
  const text = await res.text();
  if (text.length > 0) expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as OpenApiDocument;
  schemas = new GitHubResponseSchemas(spec, OPERATIONS);
  repo = await GitRepo.create();
  await repo.write('README.md', '# hello\n');
  await repo.write('bin/tool.sh', '#!/bin/sh\n', { executable: true });
  await repo.symlink('latest', 'bin/tool.sh');
  const first = await repo.commit('first');
  await repo.addSubmoduleEntry('vendor/lib', first);
  await repo.write('nested/a/b/c.txt', 'deep\n');
  head = await repo.commit('second');
  blobSha = (await runGit(repo.dir, ['rev-parse', `${head}:README.md`])).trim();
  peer = await GitHubPeer.start();
  peer.addToken(TOKEN, ['repo']);
  peer.addToken(READER);
  peer.addRepository('acme/scripts', repo);
  peer.addRepository('acme/locked', repo, { private: true, permissions: { admin: false, push: false, pull: true } });
});

afterAll(async () => {
  await peer?.stop();
  await repo?.dispose();
});

const R = '/repos/{owner}/{repo}';
const op = (method: string, path: string) => [method, path] as const;

describe("the peer's answers validate against GitHub's OpenAPI description", () => {
  const calls: Call[] = [
    { name: 'repository', operation: op('GET', R), url: '/repos/acme/scripts', expectedStatus: 200 },
    {
      name: 'repository, anonymous',
      operation: op('GET', R),
      url: '/repos/acme/scripts',
      expectedStatus: 200,
      token: null,
    },
    { name: 'private repository', operation: op('GET', R), url: '/repos/acme/locked', expectedStatus: 200 },
    { name: 'unknown repository', operation: op('GET', R), url: '/repos/acme/nope', expectedStatus: 404 },
    {
      name: 'branch',
      operation: op('GET', `${R}/branches/{branch}`),
      url: '/repos/acme/scripts/branches/main',
      expectedStatus: 200,
    },
    {
      name: 'missing branch',
      operation: op('GET', `${R}/branches/{branch}`),
      url: '/repos/acme/scripts/branches/nope',
      expectedStatus: 404,
    },
    {
      name: 'ref',
      operation: op('GET', `${R}/git/ref/{ref}`),
      url: '/repos/acme/scripts/git/ref/heads%2Fmain',
      expectedStatus: 200,
    },
    {
      name: 'missing ref',
      operation: op('GET', `${R}/git/ref/{ref}`),
      url: '/repos/acme/scripts/git/ref/heads/nope',
      expectedStatus: 404,
    },
    {
      name: 'commit',
      operation: op('GET', `${R}/commits/{ref}`),
      url: '/repos/acme/scripts/commits/main',
      expectedStatus: 200,
    },
    {
      name: 'missing commit',
      operation: op('GET', `${R}/commits/{ref}`),
      url: `/repos/acme/scripts/commits/${'f'.repeat(40)}`,
      expectedStatus: 422,
    },
    {
      name: 'recursive tree',
      operation: op('GET', `${R}/git/trees/{tree_sha}`),
      url: '/repos/acme/scripts/git/trees/main?recursive=1',
      expectedStatus: 200,
    },
    {
      name: 'tree',
      operation: op('GET', `${R}/git/trees/{tree_sha}`),
      url: '/repos/acme/scripts/git/trees/main',
      expectedStatus: 200,
    },
    {
      name: 'missing tree',
      operation: op('GET', `${R}/git/trees/{tree_sha}`),
      url: `/repos/acme/scripts/git/trees/${'e'.repeat(40)}`,
      expectedStatus: 404,
    },
    {
      name: 'blob',
      operation: op('GET', `${R}/git/blobs/{file_sha}`),
      url: '/repos/acme/scripts/git/blobs/{blob}',
      expectedStatus: 200,
    },
    {
      name: 'missing blob',
      operation: op('GET', `${R}/git/blobs/{file_sha}`),
      url: `/repos/acme/scripts/git/blobs/${'a'.repeat(40)}`,
      expectedStatus: 404,
    },
    {
      name: 'tarball redirect',
      operation: op('GET', `${R}/tarball/{ref}`),
      url: '/repos/acme/scripts/tarball/main',
      expectedStatus: 302,
    },
    { name: 'list hooks', operation: op('GET', `${R}/hooks`), url: '/repos/acme/scripts/hooks', expectedStatus: 200 },
    {
      name: 'create hook',
      operation: op('POST', `${R}/hooks`),
      method: 'POST',
      url: '/repos/acme/scripts/hooks',
      body: {
        name: 'web',
        config: { url: 'https://example.com/hook', content_type: 'json', secret: 'x' },
        events: ['push'],
        active: true,
      },
      expectedStatus: 201,
    },
    {
      name: 'list hooks, one',
      operation: op('GET', `${R}/hooks`),
      url: '/repos/acme/scripts/hooks',
      expectedStatus: 200,
    },
    {
      name: 'get hook',
      operation: op('GET', `${R}/hooks/{hook_id}`),
      url: '/repos/acme/scripts/hooks/{hook}',
      expectedStatus: 200,
    },
    {
      name: 'duplicate hook',
      operation: op('POST', `${R}/hooks`),
      method: 'POST',
      url: '/repos/acme/scripts/hooks',
      body: { name: 'web', config: { url: 'https://example.com/hook', content_type: 'json' }, events: ['push'] },
      expectedStatus: 422,
    },
    {
      name: 'update hook',
      operation: op('PATCH', `${R}/hooks/{hook_id}`),
      method: 'PATCH',
      url: '/repos/acme/scripts/hooks/{hook}',
      body: {
        config: { url: 'https://example.com/hook', content_type: 'json', secret: 'y', insecure_ssl: '0' },
        events: ['push'],
        active: true,
      },
      expectedStatus: 200,
    },
    {
      name: 'invalid hook',
      operation: op('POST', `${R}/hooks`),
      method: 'POST',
      url: '/repos/acme/scripts/hooks',
      body: { config: {} },
      expectedStatus: 422,
    },
    {
      name: 'hook without admin',
      operation: op('POST', `${R}/hooks`),
      method: 'POST',
      url: '/repos/acme/locked/hooks',
      body: { config: { url: 'https://example.com/h' } },
      token: READER,
      expectedStatus: 404,
    },
    {
      name: 'delete hook',
      operation: op('DELETE', `${R}/hooks/{hook_id}`),
      method: 'DELETE',
      url: '/repos/acme/scripts/hooks/{hook}',
      expectedStatus: 204,
    },
    {
      name: 'delete missing hook',
      operation: op('DELETE', `${R}/hooks/{hook_id}`),
      method: 'DELETE',
      url: '/repos/acme/scripts/hooks/{hook}',
      expectedStatus: 404,
    },
    { name: 'rate limit', operation: op('GET', '/rate_limit'), url: '/rate_limit', expectedStatus: 200 },
    { name: 'user', operation: op('GET', '/user'), url: '/user', expectedStatus: 200 },
    { name: 'user, anonymous', operation: op('GET', '/user'), url: '/user', expectedStatus: 401, token: null },
  ];

  let hookId = 0;
  it.each(calls.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const url = c.url.replace('{blob}', blobSha).replace('{hook}', String(hookId));
    const { status, body } = await call({ ...c, url });
    expect(status).toBe(c.expectedStatus);
    if (c.name === 'create hook') hookId = (body as { id: number }).id;
    expect(schemas.errors(c.operation[0], c.operation[1], status, body)).toEqual([]);
  });

  it('validates a truncated tree too', async () => {
    peer.setTreeEntryLimit(2);
    try {
      const { status, body } = await call({
        name: 'truncated',
        operation: op('GET', `${R}/git/trees/{tree_sha}`),
        url: `/repos/acme/scripts/git/trees/${head}?recursive=1`,
        expectedStatus: 200,
      });
      expect((body as { truncated: boolean }).truncated).toBe(true);
      expect(schemas.errors('GET', `${R}/git/trees/{tree_sha}`, status, body)).toEqual([]);
    } finally {
      peer.setTreeEntryLimit(100_000);
    }
  });

  it('the validator rejects what GitHub would not send (it can fail)', async () => {
    const { body } = await call({
      name: 'blob',
      operation: op('GET', `${R}/git/blobs/{file_sha}`),
      url: `/repos/acme/scripts/git/blobs/${blobSha}`,
      expectedStatus: 200,
    });
    const { size: _size, ...withoutSize } = body as Record<string, unknown>;
    expect(schemas.errors('GET', `${R}/git/blobs/{file_sha}`, 200, withoutSize).join()).toMatch(/size/);
    expect(
      schemas.errors('GET', `${R}/git/ref/{ref}`, 200, {
        ref: 'refs/heads/main',
        node_id: 'x',
        url: 'http://x',
        object: { sha: 'short', type: 'commit', url: 'http://x' },
      }),
    ).not.toEqual([]);
    expect(schemas.errors('GET', `${R}/git/blobs/{file_sha}`, 418, {})).not.toEqual([]);
    const repository = (
      await call({ name: 'repository', operation: op('GET', R), url: '/repos/acme/scripts', expectedStatus: 200 })
    ).body as Record<string, unknown>;
    const { network_count: _count, ...withoutCount } = repository;
    expect(schemas.errors('GET', R, 200, withoutCount).join()).toMatch(/network_count/);
    expect(schemas.errors('GET', R, 200, { ...repository, owner: { login: 'acme' } }).join()).toMatch(/owner/);
    const tree = (
      await call({
        name: 'tree',
        operation: op('GET', `${R}/git/trees/{tree_sha}`),
        url: '/repos/acme/scripts/git/trees/main',
        expectedStatus: 200,
      })
    ).body as { tree: object[] };
    expect(
      schemas
        .errors('GET', `${R}/git/trees/{tree_sha}`, 200, { ...tree, tree: [{ path: 'x', type: 'blob', sha: 'y' }] })
        .join(),
    ).toMatch(/mode/);
    expect(schemas.errors('GET', '/user', 200, { login: 'x' })).not.toEqual([]);
  });
});
