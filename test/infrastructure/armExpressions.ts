/**
 * Just enough of the ARM template expression language to read what `bicep snapshot` leaves
 * unevaluated: values that depend on the cloud (`environment()`) or on deployed resources
 * (`reference()`, `listKeys()`). Cloud suffixes are those of the public Azure cloud; a value read
 * from a deployed resource stays symbolic (a DeployTimeValue naming the resource and property), so
 * tests can say which resource a setting comes from without pretending to know the value.
 */

/** A value only known once ARM deploys: `reference(id).path` or `listKeys(id)`, possibly transformed. */
export class DeployTimeValue {
  constructor(
    readonly fn: 'reference' | 'listKeys',
    readonly resourceId: string,
    readonly path: readonly (string | number)[] = [],
    /** Set once a string function (split, replace, ...) has been applied to it. */
    readonly transformed = false,
  ) {}

  at(key: string | number): DeployTimeValue {
    return new DeployTimeValue(this.fn, this.resourceId, [...this.path, key], this.transformed);
  }

  derived(): DeployTimeValue {
    return new DeployTimeValue(this.fn, this.resourceId, this.path, true);
  }

  /** `<type/name>` of the resource, e.g. `Microsoft.Web/sites/func-x`. */
  get resource(): string {
    const at = this.resourceId.lastIndexOf('/providers/');
    return at < 0 ? this.resourceId : this.resourceId.slice(at + '/providers/'.length);
  }

  toString(): string {
    const path = this.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
    return `<${this.fn} ${this.resource}${path}${this.transformed ? ' (derived)' : ''}>`;
  }
}

export type ArmValue = string | number | boolean | null | ArmValue[] | { [key: string]: ArmValue } | DeployTimeValue;

/** Suffixes of `environment()` in the public Azure cloud (AzureCloud). */
const AZURE_CLOUD = {
  name: 'AzureCloud',
  suffixes: {
    acrLoginServer: '.azurecr.io',
    keyvaultDns: '.vault.azure.net',
    storage: 'core.windows.net',
    sqlServerHostname: '.database.windows.net',
  },
};

/** Evaluates every string that is an ARM expression (`[...]`) inside a value, recursively. */
export function evaluate(value: unknown): ArmValue {
  if (typeof value === 'string') return evaluateString(value);
  if (Array.isArray(value)) return value.map(evaluate);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item)]));
  }
  return value as ArmValue;
}

export function evaluateString(text: string): ArmValue {
  if (text.startsWith('[[')) return text.slice(1); // an escaped literal
  if (!(text.startsWith('[') && text.endsWith(']'))) return text;
  const parser = new Parser(text.slice(1, -1));
  const result = parser.expression();
  parser.end();
  return result;
}

/** A value's text with deploy-time parts shown symbolically (`<reference Microsoft.Web/sites/x.defaultHostName>`). */
export function show(value: ArmValue): string {
  if (value instanceof DeployTimeValue) return value.toString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof DeployTimeValue ? item.toString() : item));
}

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw this.error('unexpected text');
  }

  expression(): ArmValue {
    let value = this.primary();
    for (;;) {
      this.skipSpace();
      if (this.take('.')) value = member(value, this.identifier());
      else if (this.take('[')) {
        const key = this.expression();
        this.expect(']');
        value = member(value, key as string | number);
      } else return value;
    }
  }

  private primary(): ArmValue {
    this.skipSpace();
    const char = this.text[this.at];
    if (char === "'") return this.string();
    if (char !== undefined && /[-\d]/.test(char)) return this.number();
    const name = this.identifier();
    this.expect('(');
    const args: ArmValue[] = [];
    this.skipSpace();
    if (!this.take(')')) {
      do args.push(this.expression());
      while (this.take(','));
      this.expect(')');
    }
    return call(name, args);
  }

  private string(): string {
    this.expect("'");
    let value = '';
    for (;;) {
      const char = this.text[this.at++];
      if (char === undefined) throw this.error('unterminated string');
      if (char === "'") {
        if (this.text[this.at] !== "'") return value;
        this.at++;
      }
      value += char;
    }
  }

  private number(): number {
    const match = /^-?\d+/.exec(this.text.slice(this.at));
    if (!match) throw this.error('number expected');
    this.at += match[0].length;
    return Number(match[0]);
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at));
    if (!match) throw this.error('name expected');
    this.at += match[0].length;
    return match[0];
  }

  private take(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.take(token)) throw this.error(`'${token}' expected`);
  }

  private skipSpace(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private error(message: string): Error {
    return new Error(`ARM expression ${JSON.stringify(this.text)}: ${message} at ${this.at}`);
  }
}

function member(value: ArmValue, key: string | number): ArmValue {
  if (value instanceof DeployTimeValue) return value.at(key);
  if (Array.isArray(value) && typeof key === 'number') return value[key] ?? fail(`index ${key} out of range`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof key === 'string') {
    return key in value ? (value[key] as ArmValue) : fail(`no property ${key}`);
  }
  return fail(`cannot read ${String(key)} of ${show(value)}`);
}

function call(name: string, args: ArmValue[]): ArmValue {
  const deployTime = args.find((arg): arg is DeployTimeValue => arg instanceof DeployTimeValue);
  switch (name.toLowerCase()) {
    case 'environment':
      return AZURE_CLOUD as unknown as ArmValue;
    case 'reference':
      return new DeployTimeValue('reference', text(args[0]));
    case 'listkeys':
      return new DeployTimeValue('listKeys', text(args[0]));
    case 'format':
      return format(text(args[0]), args.slice(1));
    case 'createarray':
      return args;
    case 'concat':
      return args.every(Array.isArray) ? (args as ArmValue[][]).flat() : args.map(show).join('');
    case 'union':
      if (args.every(Array.isArray))
        return [...new Map((args as ArmValue[][]).flat().map((item) => [show(item), item])).values()];
      return Object.assign({}, ...args) as ArmValue;
    case 'join':
      if (!Array.isArray(args[0])) return fail(`join() needs an array, got ${show(args[0] ?? null)}`);
      return (args[0] as ArmValue[]).map(show).join(text(args[1]));
    case 'split':
      if (deployTime) return deployTime.derived();
      return text(args[0]).split(text(args[1]));
    case 'replace':
      if (deployTime) return deployTime.derived();
      return text(args[0]).split(text(args[1])).join(text(args[2]));
    case 'tolower':
      return deployTime ? deployTime.derived() : text(args[0]).toLowerCase();
    case 'string':
      return deployTime ?? (typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]));
    default:
      return fail(`function ${name}() is not supported here`);
  }
}

// format('{0}...{1}', ...): `{{` and `}}` are literal braces. A deploy-time argument is shown symbolically.
function format(template: string, args: ArmValue[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (token, index?: string) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    const arg = args[Number(index)];
    if (arg === undefined) fail(`format argument ${index} missing`);
    return show(arg as ArmValue);
  });
}

function text(value: ArmValue | undefined): string {
  if (typeof value !== 'string') fail(`a string was expected, got ${show(value ?? null)}`);
  return value as string;
}

function fail(message: string): never {
  throw new Error(message);
}
