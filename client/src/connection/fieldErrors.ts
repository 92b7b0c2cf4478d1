import { ApiError } from '../api/ApiError';

export type ConnectField = 'repository' | 'branch' | 'subPath' | 'token';

/** Which form field a server refusal is about, from its stable code. */
const FIELD_OF_CODE: Readonly<Record<string, ConnectField>> = {
  InvalidRepository: 'repository',
  RepositoryNotFound: 'repository',
  InvalidBranch: 'branch',
  BranchNotFound: 'branch',
  InvalidSubPath: 'subPath',
  SubPathNotFound: 'subPath',
  TokenRejected: 'token',
  TokenMissing: 'token',
  InsufficientPermissions: 'token',
};

export interface FieldErrors {
  readonly fields: Partial<Record<ConnectField, { readonly code: string; readonly message: string }>>;
  /** What belongs to no single field. */
  readonly form: ApiError | Error | null;
}

/**
 * Places a refusal next to the field it is about: by code, or for ValidationFailed by the field names
 * its message starts with (`token: …; branch: …`); anything else is a form-level error.
 */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError))
    return { fields: {}, form: error instanceof Error ? error : new Error(String(error)) };
  const field = FIELD_OF_CODE[error.code];
  if (field) return { fields: { [field]: { code: error.code, message: error.message } }, form: null };
  if (error.code === 'ValidationFailed') {
    const fields: FieldErrors['fields'] = {};
    for (const part of error.message.split('; ')) {
      const [, name, message] = /^(repository|branch|subPath|token): (.*)$/.exec(part) ?? [];
      // The pattern only matches the names of ConnectField.
      if (name !== undefined && message !== undefined) fields[name as ConnectField] = { code: error.code, message };
    }
    if (Object.keys(fields).length > 0) return { fields, form: null };
  }
  return { fields: {}, form: error };
}
