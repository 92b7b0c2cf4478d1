import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Certificate {
  /** PEM of the private key. */
  readonly key: string;
  /** PEM of the certificate, for 127.0.0.1 and localhost: what a client trusts as its CA. */
  readonly cert: string;
}

/** One key and certificate per test process: peers differ by port, and openssl takes a while. */
let shared: Promise<Certificate> | undefined;

/** A key and self-signed certificate for the HTTPS (TLS) peers on loopback, made once per process. */
export function loopbackCertificate(): Promise<Certificate> {
  shared ??= selfSignedCertificate();
  return shared;
}

/** A fresh key and self-signed certificate for 127.0.0.1, made by the openssl command line tool. */
async function selfSignedCertificate(): Promise<Certificate> {
  const folder = await mkdtemp(join(tmpdir(), 'peer-tls-'));
  try {
    const keyFile = join(folder, 'key.pem');
    const certFile = join(folder, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
