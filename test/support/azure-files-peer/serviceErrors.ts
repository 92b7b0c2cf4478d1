/**
 * An Azure Files error answer: HTTP status, the `x-ms-error-code` header and the XML body's <Code>.
 * Codes and statuses as Microsoft's "Azure Files error codes" and "Common REST API error codes" list them.
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const errors = {
  shareNotFound: () => new ServiceError(404, 'ShareNotFound', 'The specified share does not exist.'),
  shareAlreadyExists: () => new ServiceError(409, 'ShareAlreadyExists', 'The specified share already exists.'),
  parentNotFound: () => new ServiceError(404, 'ParentNotFound', 'The specified parent path does not exist.'),
  resourceNotFound: () => new ServiceError(404, 'ResourceNotFound', 'The specified resource does not exist.'),
  resourceAlreadyExists: () => new ServiceError(409, 'ResourceAlreadyExists', 'The specified resource already exists.'),
  resourceTypeMismatch: () =>
    new ServiceError(
      409,
      'ResourceTypeMismatch',
      'The specified resource type does not match the type of the existing resource.',
    ),
  directoryNotEmpty: () => new ServiceError(409, 'DirectoryNotEmpty', 'The specified directory is not empty.'),
  invalidResourceName: (why: string) =>
    new ServiceError(400, 'InvalidResourceName', `The specified resource name contains invalid characters: ${why}`),
  pathTooLong: (why: string) => new ServiceError(400, 'InvalidFileOrDirectoryPathName', why),
  invalidRange: () =>
    new ServiceError(416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.'),
  invalidHeaderValue: (header: string) =>
    new ServiceError(
      400,
      'InvalidHeaderValue',
      `The value for one of the HTTP headers is not in the correct format: ${header}`,
    ),
  missingHeader: (header: string) =>
    new ServiceError(
      400,
      'MissingRequiredHeader',
      `An HTTP header that's mandatory for this request is not specified: ${header}`,
    ),
  requestBodyTooLarge: () =>
    new ServiceError(
      413,
      'RequestBodyTooLarge',
      'The request body is too large and exceeds the maximum permissible limit.',
    ),
  authenticationFailed: (why: string) =>
    new ServiceError(
      403,
      'AuthenticationFailed',
      `Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. ${why}`,
    ),
  unsupported: (what: string) =>
    new ServiceError(400, 'UnsupportedQueryParameter', `The test peer does not implement ${what}.`),
  outOfRange: (what: string) =>
    new ServiceError(
      400,
      'OutOfRangeQueryParameterValue',
      `One of the query parameters specified in the request URI is outside the permissible range: ${what}`,
    ),
};
