import { describe, expect, it } from 'vitest';
import { languageOf } from './languages';

describe('languageOf', () => {
  it.each([
    ['deploy/install.ps1', 'powershell'],
    ['Module.PSM1', 'powershell'],
    ['tools/report.py', 'python'],
    ['run.sh', 'shell'],
    ['config/app.json', 'json'],
    ['pipeline.yml', 'yaml'],
    ['values.yaml', 'yaml'],
    ['README.md', 'markdown'],
    ['Dockerfile', 'dockerfile'],
    ['notes', 'plaintext'],
    ['.gitignore', 'plaintext'],
    ['archive.tar.gz', 'plaintext'],
  ])('%s is %s', (path, language) => {
    expect(languageOf(path)).toBe(language);
  });
});
