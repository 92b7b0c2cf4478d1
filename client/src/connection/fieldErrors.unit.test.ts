import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/ApiError';
import { fieldErrorsOf } from './fieldErrors';

describe('fieldErrorsOf', () => {
  it.each([
    ['TokenRejected', 'token'],
    ['InsufficientPermissions', 'token'],
    ['RepositoryNotFound', 'repository'],
    ['BranchNotFound', 'branch'],
    ['SubPathNotFound', 'subPath'],
  ])('puts %s next to the %s field', (code, field) => {
    const errors = fieldErrorsOf(new ApiError(422, code, 'GitHub says no'));
    expect(errors.fields).toEqual({ [field]: { code, message: 'GitHub says no' } });
    expect(errors.form).toBeNull();
  });

  it('splits a ValidationFailed message by the fields it names', () => {
    const errors = fieldErrorsOf(
      new ApiError(400, 'ValidationFailed', 'token: a GitHub token is printable ASCII; branch: Too small'),
    );
    expect(errors.fields.token?.message).toBe('a GitHub token is printable ASCII');
    expect(errors.fields.branch?.message).toBe('Too small');
  });

  it('keeps what belongs to no field for the form', () => {
    const failure = new ApiError(502, 'GitHubUnavailable', 'GitHub cannot be reached');
    expect(fieldErrorsOf(failure)).toEqual({ fields: {}, form: failure });
  });
});
