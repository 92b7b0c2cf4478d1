import type { Scope } from './Scope';

export interface ConnectionSecretNames {
  readonly token: string;
  readonly webhookSecret: string;
}

/**
 * Names under which a scope's token and webhook secret are stored. Key Vault allows only letters,
 * digits and '-' and ignores case, while organisation ids may hold '_' and capitals (and 'GLOBAL'
 * differs from an organisation 'global' only by case), so a name that had to be folded carries a
 * short hash of the exact scope to stay unique.
 */
export function connectionSecretNames(scope: Scope): ConnectionSecretNames {
  const key = secretKey(scope);
  return { token: `github-token-${key}`, webhookSecret: `webhook-secret-${key}` };
}

/** A new webhook secret: 32 random bytes, hex. */
export function newWebhookSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function secretKey(scope: Scope): string {
  const folded = scope.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return folded === scope ? folded : `${folded}-${fnv1a(scope)}`;
}

/** 32-bit FNV-1a as 8 hex digits: tells apart the few names that fold alike, not a security measure. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
