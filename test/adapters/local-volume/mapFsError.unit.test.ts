import { describe, expect, it } from 'vitest';
import { fileStoreCodeForErrno, mapFsError, mapMoveError } from '../../../src/adapters/local-volume/mapFsError';
import { FileStoreError } from '../../../src/ports/FileStore';

const systemError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: boom`), { code });

describe('errno to FileStoreError mapping', () => {
  it.each([
    ['ENOENT', 'NotFound', false],
    ['EEXIST', 'Conflict', false],
    ['ENOTDIR', 'Conflict', false],
    ['EISDIR', 'Conflict', false],
    ['ENOTEMPTY', 'Conflict', false],
    ['ENAMETOOLONG', 'Conflict', false],
    ['EROFS', 'ReadOnly', false],
    ['EACCES', 'ReadOnly', false],
    ['EPERM', 'ReadOnly', false],
    ['EIO', 'Unavailable', true],
    ['ENOSPC', 'Unavailable', true],
    ['EHOSTDOWN', 'Unavailable', true],
  ] as const)('%s -> %s (retryable: %s)', (errno, code, retryable) => {
    expect(fileStoreCodeForErrno(errno)).toBe(code);
    const mapped = mapFsError(systemError(errno), 'write', 'orgs/1/a.py');
    expect(mapped).toBeInstanceOf(FileStoreError);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.message).toBe(`write 'orgs/1/a.py' failed: ${errno}`);
  });

  it('treats errors without an errno as Unavailable and keeps the cause', () => {
    const cause = new Error('weird');
    const mapped = mapFsError(cause, 'read', 'x');
    expect(mapped.code).toBe('Unavailable');
    expect(mapped.cause).toBe(cause);
  });

  it('passes FileStoreErrors through untouched', () => {
    const original = new FileStoreError('Conflict', 'already mapped');
    expect(mapFsError(original, 'read', 'x')).toBe(original);
  });

  describe('a move into place (rename)', () => {
    it.each(['EACCES', 'EPERM', 'EBUSY'])(
      '%s on a writable folder is a file in use (SMB sharing violation): Unavailable, retryable',
      (errno) => {
        const mapped = mapMoveError(systemError(errno), 'rename', 'orgs/1/a.py', true);
        expect(mapped).toMatchObject({ code: 'Unavailable', retryable: true });
        expect(mapped.message).toContain(`failed: ${errno}`);
      },
    );

    it.each([
      ['EACCES', 'ReadOnly'],
      ['EPERM', 'ReadOnly'],
      ['EBUSY', 'Unavailable'],
    ] as const)('%s on a folder that refuses writes maps as any write: %s', (errno, code) => {
      expect(mapMoveError(systemError(errno), 'rename', 'orgs/1/a.py', false).code).toBe(code);
    });

    it('maps other errnos as any call', () => {
      expect(mapMoveError(systemError('ENOENT'), 'rename', 'x', true).code).toBe('NotFound');
      expect(mapMoveError(systemError('EROFS'), 'rename', 'x', true).code).toBe('ReadOnly');
    });
  });
});
