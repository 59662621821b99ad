/**
 * Request authentication of the Kalshi exchange simulator: the KALSHI-ACCESS-* headers of a REST request or a
 * websocket upgrade checked against the configured public key (RSA-PSS over timestamp + METHOD + path),
 * the key id and the allowed clock skew; 401 with the exchange's error body on a bad, stale or incomplete
 * signature. The protocol (headers, signed text, verification) is core/kalshi-signing.ts, the same statement
 * the adapter signs with. Its own file because the REST handler and the websocket upgrade (server.ts) both
 * ask it.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type http from 'node:http';
import type { Clock } from '../../ports/clock.ts';
import { SIGNATURE_HEADERS, signingText, verifyText } from '../../core/kalshi-signing.ts';
import { errBody, HttpError } from './rest-routes.ts';

export interface SimAuthOptions {
  /** The sim clock (signature timestamps are checked against `signatureClock` when set). */
  clock: Clock;
  publicKeyPem: string;
  apiKeyId?: string;
  signatureMaxSkewMs?: number;
  signatureClock?: Clock;
}

/** Returns the key id when the request carries a valid signature; throws 401 when it carries a bad one. */
export type SimAuthenticate = (method: string, pathname: string, headers: http.IncomingHttpHeaders, required: boolean) => string | undefined;

export function createAuthenticator(o: SimAuthOptions): SimAuthenticate {
  const clock = o.clock;
  const publicKey: KeyObject = crypto.createPublicKey(o.publicKeyPem);
  const maxSkew = o.signatureMaxSkewMs ?? 30_000;

  /** Returns the key id when the request carries a valid signature; throws 401 when it carries a bad one. */
  function authenticate(method: string, pathname: string, headers: http.IncomingHttpHeaders, required: boolean): string | undefined {
    const h = (name: string) => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const keyId = h(SIGNATURE_HEADERS.key);
    const ts = h(SIGNATURE_HEADERS.timestamp);
    const sig = h(SIGNATURE_HEADERS.signature);
    if (!keyId && !ts && !sig) {
      if (required) throw new HttpError(401, errBody('unauthorized', 'authentication required', 'missing KALSHI-ACCESS-* headers'));
      return undefined;
    }
    if (!keyId || !ts || !sig) throw new HttpError(401, errBody('unauthorized', 'incomplete authentication headers'));
    if (o.apiKeyId && keyId !== o.apiKeyId) throw new HttpError(401, errBody('unauthorized', 'unknown API key'));
    if (!/^\d{10,16}$/.test(ts)) throw new HttpError(401, errBody('unauthorized', 'invalid KALSHI-ACCESS-TIMESTAMP', 'expected milliseconds since epoch'));
    if (Math.abs((o.signatureClock ?? clock).now() - Number(ts)) > maxSkew) throw new HttpError(401, errBody('unauthorized', 'request timestamp outside the allowed window', `allowed skew ${maxSkew} ms`));
    if (!verifyText(publicKey, signingText(ts, method, pathname), sig)) {
      throw new HttpError(401, errBody('unauthorized', 'invalid signature', 'signature must cover timestamp + METHOD + path (no query)'));
    }
    return keyId;
  }

  return authenticate;
}
