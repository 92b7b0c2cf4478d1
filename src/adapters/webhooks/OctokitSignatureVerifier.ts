import type { SignatureVerifier } from '../../ports/SignatureVerifier';

type Verify = (secret: string, payload: string, signature: string) => Promise<boolean>;

/** `X-Hub-Signature-256` checks with @octokit/webhooks-methods (constant-time HMAC-SHA256 compare). */
export class OctokitSignatureVerifier implements SignatureVerifier {
  private verifyFn: Promise<Verify> | undefined;

  async verify(secret: string, rawBody: string, signatureHeader: string): Promise<boolean> {
    // The package is ESM-only; load it once, lazily, from this CommonJS build.
    this.verifyFn ??= import('@octokit/webhooks-methods').then((module) => module.verify);
    const verify = await this.verifyFn;
    try {
      return await verify(secret, rawBody, signatureHeader);
    } catch {
      return false; // malformed header (wrong prefix, not hex): a bad signature, not a fault
    }
  }
}
