/** Checks GitHub's `X-Hub-Signature-256` header against the raw body and the webhook secret. */
export interface SignatureVerifier {
  verify(secret: string, rawBody: string, signatureHeader: string): Promise<boolean>;
}
