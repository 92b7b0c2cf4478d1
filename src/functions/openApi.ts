import type { HttpResponseInit } from '@azure/functions';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { openApiDocument } from './openapi/openApiDocument';

/** The API's own description, generated from the route definitions. */
export const openApiFunction = defineApiRoute({
  name: 'openApi',
  route: 'openapi.json',
  methods: ['GET'],
  need: 'read',
  scoped: false,
  doc: {
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI document', contentType: 'application/json' } },
  },
  build: (container) => {
    let document: unknown;
    const version = container.get(TYPES.AppInfo).version;
    return async (): Promise<HttpResponseInit> => {
      // Imported here, not at the top: the function list includes this function (a native import needs the extension).
      document ??= openApiDocument((await import('./index.js')).httpFunctions, version);
      return { status: 200, jsonBody: document };
    };
  },
});
