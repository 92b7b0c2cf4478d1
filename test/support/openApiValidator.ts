import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

export interface ResponseRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

/** An answer's body as it is checked: parsed JSON for JSON answers, else the bytes; undefined when empty. */
export function answerBody(contentType: string | null, bytes: Buffer): unknown {
  if (bytes.byteLength === 0) return undefined;
  return contentType?.includes('json') ? JSON.parse(bytes.toString('utf8')) : bytes;
}

/**
 * Checks real responses against `/api/openapi.json`: the path, method and status must be documented,
 * and a JSON body must match the schema documented for that status.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new WeakMap<Json, ReturnType<Ajv2020['compile']>>();
  private readonly routes: Array<{ pattern: RegExp; template: string; operations: Record<string, Operation> }>;
  /** Every operation+status seen, for coverage reports. */
  readonly seen = new Set<string>();

  /** The running service's own document. */
  static async fromService(baseUrl: string, headers: Record<string, string> = {}): Promise<OpenApiValidator> {
    const response = await fetch(`${baseUrl}/api/openapi.json`, { headers });
    return new OpenApiValidator((await response.json()) as Json);
  }

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    const paths = document.paths as Record<string, Record<string, Operation>>;
    this.routes = Object.entries(paths).map(([template, operations]) => ({
      template,
      operations,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
    }));
  }

  /** Problems with a response; empty when it matches the document. */
  check(response: ResponseRecord): string[] {
    const pathname = new URL(response.path, 'http://x').pathname.replace(/\/+$/, '');
    const route = this.routes.find((candidate) => candidate.pattern.test(pathname));
    if (!route) return [`${pathname} is not in the OpenAPI document`];
    const operation = route.operations[response.method.toLowerCase()];
    if (!operation) return [`${response.method} ${route.template} is not documented`];
    const documented = operation.responses[String(response.status)];
    const where = `${response.method} ${route.template} → ${response.status}`;
    if (!documented) return [`${where} is not a documented status`];
    this.seen.add(where);
    const type = (response.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0)
      return response.body === undefined || response.body === '' ? [] : [`${where} documents no body`];
    const media = content[type];
    if (!media)
      return [`${where} answered ${type || 'no content type'}, documented: ${Object.keys(content).join(', ')}`];
    if (type !== 'application/json') return [];
    let validate = this.compiled.get(media.schema);
    if (!validate) {
      validate = this.ajv.compile(media.schema);
      this.compiled.set(media.schema, validate);
    }
    if (validate(response.body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${where}: ${error.instancePath || 'body'} ${error.message} ${JSON.stringify(error.params)}`,
    );
  }
}
