import { describe, expect, it } from 'vitest';
import { apiBaseOf } from './apiBase';

describe('apiBaseOf', () => {
  it('is the page origin (empty) when the build names no API', () => {
    expect(apiBaseOf(undefined)).toBe('');
    expect(apiBaseOf(' ')).toBe('');
  });

  it('keeps an origin, without trailing slashes or a trailing /api', () => {
    expect(apiBaseOf('https://wsync-func.azurewebsites.net')).toBe('https://wsync-func.azurewebsites.net');
    expect(apiBaseOf('https://wsync-func.azurewebsites.net/')).toBe('https://wsync-func.azurewebsites.net');
    expect(apiBaseOf('https://wsync-func.azurewebsites.net/api/')).toBe('https://wsync-func.azurewebsites.net');
    expect(apiBaseOf('http://127.0.0.1:7071/sync/api')).toBe('http://127.0.0.1:7071/sync');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => apiBaseOf('wsync-func.azurewebsites.net')).toThrow();
    expect(() => apiBaseOf('ftp://example.com')).toThrow(/http\(s\)/);
  });
});
