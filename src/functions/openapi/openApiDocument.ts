import { z } from 'zod';
import type { HttpFunctionDefinition } from '../definitions';
import { ORGANIZATION_HEADER } from '../http/apiRoute';
import type { ResponseDoc } from '../http/routeDoc';

type JsonSchema = Record<string, unknown>;

// Answers the framework gives on every protected route, besides what the route documents.
const AUTH_PROBLEMS: Record<number, readonly string[]> = {
  401: ['MissingToken', 'InvalidToken', 'TokenExpired'],
  403: ['Forbidden'],
  503: ['AuthUnavailable', 'DependencyUnavailable'],
};

/** The OpenAPI 3.1 description of every HTTP function, generated from the same schemas the handlers validate with. */
export function openApiDocument(functions: readonly HttpFunctionDefinition[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const definition of functions) {
    const path = `/api/${definition.route.replace(/\{(\w+)(?::[^}]*)?\??\}/g, '{$1}')}`;
    const operations = paths[path] ?? {};
    for (const method of definition.methods) {
      operations[method.toLowerCase()] = operation(definition);
      paths[path] = operations;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'workspace-sync',
      version,
      description:
        'Keeps the script workspace in step with GitHub; manual editing, sync history, dead letters, zip download and health.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        entra: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Entra ID access token for this API',
        },
      },
    },
    paths,
  };
}

function operation(definition: HttpFunctionDefinition): JsonSchema {
  const { doc, access } = definition;
  const pathParams = [...definition.route.matchAll(/\{(?<name>\w+)/g)].flatMap((match) => match.groups?.name ?? []);
  const parameters: JsonSchema[] = pathParams.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (access.kind === 'protected' && access.scoped && !pathParams.includes('scope')) {
    parameters.push({
      name: 'X-Organization-Id',
      in: 'header',
      required: false,
      description: `Scope of the request (${ORGANIZATION_HEADER}): an organisation id; absent = GLOBAL`,
      schema: { type: 'string' },
    });
  }
  if (doc.query) {
    const query = toJsonSchema(doc.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const header of doc.headers ?? [])
    parameters.push({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: { type: 'string' },
    });

  interface Answer {
    readonly descriptions: string[];
    readonly contents: Map<string, JsonSchema[]>;
    readonly problems: Set<string>;
  }
  const responses = new Map<number, Answer>();
  const add = (status: number, response: ResponseDoc) => {
    const entry: Answer = responses.get(status) ?? { descriptions: [], contents: new Map(), problems: new Set() };
    entry.descriptions.push(response.description);
    if ('problems' in response) {
      for (const code of response.problems) entry.problems.add(code);
    } else if (response.schema || response.contentType) {
      const type = response.contentType ?? 'application/json';
      const schema = response.schema
        ? toJsonSchema(response.schema, 'output')
        : type === 'application/json'
          ? {}
          : { type: 'string', format: 'binary' };
      entry.contents.set(type, [...(entry.contents.get(type) ?? []), schema]);
      for (const raw of response.rawAlternatives ?? []) entry.contents.set(raw, [{ type: 'string', format: 'binary' }]);
    }
    responses.set(status, entry);
  };
  for (const [status, response] of Object.entries(doc.responses)) add(Number(status), response);
  if (access.kind === 'protected') {
    for (const [status, problems] of Object.entries(AUTH_PROBLEMS))
      add(Number(status), { description: 'Authentication or authorisation failed, or a dependency is down', problems });
    if (access.scoped)
      add(400, { description: 'The scope is not GLOBAL or an organisation id', problems: ['InvalidScope'] });
  }
  // What every route answers before its handler runs: the host's URL and Host checks, the cross-origin guard.
  add(400, {
    description: 'A malformed Host header or URL (bad percent-encoding)',
    problems: ['InvalidHost', 'InvalidUrl'],
  });
  add(403, {
    description: 'Called from a page on another origin, or (development identity) under a name other than localhost',
    problems: definition.anyHost ? ['OriginNotAllowed'] : ['OriginNotAllowed', 'HostNotAllowed'],
  });
  if (doc.body?.schema)
    add(415, { description: 'A JSON body sent as anything but application/json', problems: ['UnsupportedMediaType'] });
  if (doc.body)
    add(400, {
      description: 'The request body ended before it was complete (the caller went away)',
      problems: ['BodyIncomplete'],
    });
  add(500, {
    description: 'Unexpected error, or a deployment that cannot store secrets',
    problems: ['InternalError', 'SecretStoreReadOnly'],
  });
  // Under the Functions host every function is registered even when the service cannot start.
  add(503, {
    description:
      'The service cannot start: a setting is missing or invalid (the message names it), or start-up failed and the next request retries it',
    problems: ['ConfigurationInvalid', 'StartupFailed'],
  });

  return {
    operationId: definition.name,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [...doc.tags],
    security: access.kind === 'protected' ? [{ entra: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body ? { requestBody: requestBody(doc.body) } : {}),
    responses: Object.fromEntries(
      [...responses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, entry]) => {
          const content: Record<string, { schema: JsonSchema }> = {};
          const problemSchema = entry.problems.size > 0 ? problem([...entry.problems]) : null;
          for (const [type, schemas] of entry.contents) {
            const all = type === 'application/json' && problemSchema ? [...schemas, problemSchema] : schemas;
            content[type] = { schema: oneOf(all) };
          }
          if (problemSchema && !content['application/json']) content['application/json'] = { schema: problemSchema };
          return [String(status), { description: [...new Set(entry.descriptions)].join('; '), content }];
        }),
    ),
  };
}

function requestBody(body: NonNullable<HttpFunctionDefinition['doc']['body']>): JsonSchema {
  const content: Record<string, { schema: JsonSchema }> = {};
  if (body.schema) content['application/json'] = { schema: toJsonSchema(body.schema, 'input') };
  for (const type of body.contentTypes ?? []) content[type] ??= { schema: { type: 'string', format: 'binary' } };
  return { required: body.required ?? true, content };
}

/** Every error answer: a stable code from the route's list and a sentence for a person. */
function problem(codes: string[]): JsonSchema {
  return {
    type: 'object',
    properties: { error: { type: 'string', enum: codes.sort() }, message: { type: 'string' } },
    required: ['error', 'message'],
    additionalProperties: true,
  };
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** The one schema itself, or the alternatives as `oneOf`. */
function oneOf(schemas: readonly JsonSchema[]): JsonSchema {
  const [only, ...others] = schemas;
  return only !== undefined && others.length === 0 ? only : { oneOf: schemas };
}
