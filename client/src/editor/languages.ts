/** Monaco language ids by file extension (lower case, without the dot), for the scripts people keep here. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  ps1: 'powershell',
  psm1: 'powershell',
  psd1: 'powershell',
  py: 'python',
  pyw: 'python',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  json: 'json',
  jsonc: 'json',
  yml: 'yaml',
  yaml: 'yaml',
  md: 'markdown',
  markdown: 'markdown',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  xml: 'xml',
  ini: 'ini',
  cfg: 'ini',
  toml: 'ini',
  bat: 'bat',
  cmd: 'bat',
  sql: 'sql',
  tf: 'hcl',
  bicep: 'bicep',
  css: 'css',
  html: 'html',
  htm: 'html',
};

const BY_NAME: Readonly<Record<string, string>> = {
  dockerfile: 'dockerfile',
  makefile: 'shell',
  '.bashrc': 'shell',
  '.profile': 'shell',
};

/** The language Monaco should highlight a path with; plaintext when unknown. */
export function languageOf(path: string): string {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (BY_NAME[name]) return BY_NAME[name];
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'plaintext';
  return BY_EXTENSION[name.slice(dot + 1)] ?? 'plaintext';
}

/** A label for the status bar. */
export function languageLabel(language: string): string {
  const labels: Record<string, string> = {
    powershell: 'PowerShell',
    python: 'Python',
    shell: 'Shell',
    json: 'JSON',
    yaml: 'YAML',
    markdown: 'Markdown',
    plaintext: 'Plain text',
  };
  return labels[language] ?? language.charAt(0).toUpperCase() + language.slice(1);
}
