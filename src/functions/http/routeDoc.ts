import type { z } from 'zod';

/** One documented answer of a route. Problems list the stable error codes the route may answer with. */
export type ResponseDoc =
  | {
      readonly description: string;
      /** JSON body schema; with neither schema nor contentType the answer has no body. */
      readonly schema?: z.ZodType;
      readonly contentType?: string;
      /** Further content types the same answer may come as, raw bytes (content negotiation). */
      readonly rawAlternatives?: readonly string[];
    }
  | { readonly description: string; readonly problems: readonly string[] };

/** What `/api/openapi.json` says about a route; tests check real responses against it. */
export interface RouteDoc {
  readonly summary: string;
  readonly tags: readonly string[];
  readonly description?: string;
  /** Query parameters, each a property of the object (all strings on the wire). */
  readonly query?: z.ZodObject;
  /** Request body: a JSON schema, or raw content types accepted as they are. */
  readonly body?: {
    readonly schema?: z.ZodType;
    readonly contentTypes?: readonly string[];
    readonly required?: boolean;
  };
  /** Request headers the route reads (besides Authorization and X-Organization-Id). */
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}
