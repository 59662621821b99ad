/**
 * Kalshi's request-signing protocol (reference §2), the one statement of it that the REST/WS adapter
 * (adapters/kalshi/auth.ts, which signs) and the exchange simulator (sim/kalshi/server.ts, which verifies)
 * both import: the three headers, the exact text signed (`timestamp_ms + METHOD + path`, path from the root
 * incl. `/trade-api/v2`, no query, no body), RSA-PSS / SHA-256 / MGF1(SHA-256) / salt = digest length, and
 * verification. Pure computation: verification is a deterministic function of key, text and signature
 * (node:crypto, no I/O); signing, which draws a random salt and holds a private key, stays in the adapter.
 */
import crypto, { type KeyObject } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  key: 'KALSHI-ACCESS-KEY',
  timestamp: 'KALSHI-ACCESS-TIMESTAMP',
  signature: 'KALSHI-ACCESS-SIGNATURE',
} as const;

/** The RSA-PSS parameters of a Kalshi signature (SHA-256 is the digest both sides pass). */
export const PSS_PARAMS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } as const;

/** The exact text Kalshi signs. `path` must already be stripped of query and host. */
export const signingText = (timestampMs: string, method: string, path: string): string =>
  `${timestampMs}${method.toUpperCase()}${path}`;

/** Path to sign for a URL or path: pathname only (no query, no fragment). */
export function signingPath(urlOrPath: string): string {
  return new URL(urlOrPath, 'http://signing.invalid').pathname;
}

export function verifyText(publicKey: KeyObject, text: string, signatureB64: string): boolean {
  try {
    return crypto.verify('sha256', Buffer.from(text), { key: publicKey, ...PSS_PARAMS }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
