import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withApiOrigin, withAuthorityOrigin, type StaticWebAppConfig } from './staticWebAppConfig';

const committed = JSON.parse(readFileSync(join(__dirname, '..', 'staticwebapp.config.json'), 'utf8')) as StaticWebAppConfig;
const connectSources = (config: StaticWebAppConfig) =>
  config.globalHeaders!['content-security-policy']!.split(';').map((directive) => directive.trim()).find((directive) => directive.startsWith('connect-src '))!.split(/\s+/).slice(1);

describe('withApiOrigin', () => {
  it("adds the API's origin (not its path) to connect-src and changes nothing else", () => {
    const built = withApiOrigin(committed, 'https://wsync-func.azurewebsites.net/api');
    expect(connectSources(built)).toEqual([...connectSources(committed), 'https://wsync-func.azurewebsites.net']);
    const otherDirectives = (config: StaticWebAppConfig) => config.globalHeaders!['content-security-policy']!.split(';').map((directive) => directive.trim()).filter((directive) => !directive.startsWith('connect-src'));
    expect(otherDirectives(built)).toEqual(otherDirectives(committed));
    expect({ ...built, globalHeaders: undefined }).toEqual({ ...committed, globalHeaders: undefined });
  });

  it('leaves the file as it is when the API is on the same origin', () => {
    expect(withApiOrigin(committed, undefined)).toBe(committed);
    expect(withApiOrigin(committed, '')).toBe(committed);
  });

  it('adds an origin once', () => {
    const twice = withApiOrigin(withApiOrigin(committed, 'https://api.example.com'), 'https://api.example.com/');
    expect(connectSources(twice).filter((source) => source === 'https://api.example.com')).toHaveLength(1);
  });
});

describe('withAuthorityOrigin', () => {
  const sources = (config: StaticWebAppConfig, name: string) =>
    config.globalHeaders!['content-security-policy']!.split(';').map((directive) => directive.trim()).find((directive) => directive.startsWith(`${name} `))!.split(/\s+/).slice(1);

  it("adds the authority's origin to connect-src, frame-src and form-action, keeping login.microsoftonline.com", () => {
    const built = withAuthorityOrigin(committed, 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0');
    for (const name of ['connect-src', 'frame-src', 'form-action']) {
      expect(sources(built, name)).toEqual([...sources(committed, name), 'https://contoso.ciamlogin.com']);
      expect(sources(built, name)).toContain('https://login.microsoftonline.com');
    }
    expect(sources(built, 'script-src')).toEqual(sources(committed, 'script-src'));
  });

  it('leaves the file as it is without an authority, and adds an origin already there only once', () => {
    expect(withAuthorityOrigin(committed, undefined)).toBe(committed);
    expect(sources(withAuthorityOrigin(committed, 'https://login.microsoftonline.com/tenant-id'), 'form-action')).toEqual(sources(committed, 'form-action'));
  });
});
