/**
 * Kalshi request signing (reference §2): RSA-PSS / SHA-256 / MGF1(SHA-256) / salt = digest length over
 * `timestamp_ms + METHOD + path` (path from the root incl. `/trade-api/v2`, no query, no body), base64.
 * The protocol itself (headers, signed text, PSS parameters, verification) is core/kalshi-signing.ts, shared
 * with the simulator that verifies; this file holds the signing side: the private key (read from its file,
 * parsed once) and the signer. Neither the key nor the key id ever appears in a log line or an error.
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { Clock } from '../../ports/clock.ts';
import { PSS_PARAMS, SIGNATURE_HEADERS, signingPath, signingText } from '../../core/kalshi-signing.ts';

/** The protocol's names, for callers that sign (one definition: core/kalshi-signing.ts). */
export { SIGNATURE_HEADERS, signingPath, signingText, verifyText } from '../../core/kalshi-signing.ts';

export class KalshiKeyError extends Error {
  override name = 'KalshiKeyError';
}

/** Parses a PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM. */
export function parsePrivateKeyPem(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The PEM text itself must never reach an error message.
    throw new KalshiKeyError('Kalshi private key: not a readable PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new KalshiKeyError(`Kalshi private key: expected an RSA key, got ${key.asymmetricKeyType}`);
  return key;
}

export function loadPrivateKeyFile(pemPath: string): KeyObject {
  let text: Buffer;
  try {
    text = fs.readFileSync(pemPath);
  } catch (e) {
    throw new KalshiKeyError(`Kalshi private key: cannot read KALSHI_PRIVATE_KEY_PEM_PATH (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parsePrivateKeyPem(text);
}

export function signText(key: KeyObject, text: string): string {
  return crypto.sign('sha256', Buffer.from(text), { key, ...PSS_PARAMS }).toString('base64');
}

/** Signs requests with one API key. Secrets live in private fields so JSON/inspect never show them. */
export class KalshiSigner {
  readonly #keyId: string;
  readonly #key: KeyObject;

  constructor(
    keyId: string,
    key: KeyObject,
    private readonly clock: Clock,
  ) {
    if (!keyId) throw new KalshiKeyError('Kalshi API key id is empty');
    this.#keyId = keyId;
    this.#key = key;
  }

  static fromPemFile(keyId: string, pemPath: string, clock: Clock): KalshiSigner {
    return new KalshiSigner(keyId, loadPrivateKeyFile(pemPath), clock);
  }

  static fromPem(keyId: string, pem: string, clock: Clock): KalshiSigner {
    return new KalshiSigner(keyId, parsePrivateKeyPem(pem), clock);
  }

  /** The three auth headers for `method` on `urlOrPath`, timestamped by the injected clock. */
  headers(method: string, urlOrPath: string): Record<string, string> {
    const ts = String(Math.floor(this.clock.now()));
    return {
      [SIGNATURE_HEADERS.key]: this.#keyId,
      [SIGNATURE_HEADERS.timestamp]: ts,
      [SIGNATURE_HEADERS.signature]: signText(this.#key, signingText(ts, method, signingPath(urlOrPath))),
    };
  }

  /** `text` with every occurrence of the key id masked (for error text a server may have echoed back). */
  redact(text: string): string {
    return text.split(this.#keyId).join('***');
  }

  toJSON(): string {
    return 'KalshiSigner(<redacted>)';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'KalshiSigner(<redacted>)';
  }
}
