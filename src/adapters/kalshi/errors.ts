/** Typed failures of the Kalshi adapters. Messages name the endpoint, never a secret. */

/** The exchange answered with an error status; `code` is the exchange's own error code. */
export class KalshiApiError extends Error {
  override name = 'KalshiApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly exchangeMessage: string,
    readonly details: string | undefined,
    readonly method: string,
    readonly path: string,
  ) {
    super(`Kalshi ${method} ${path} → HTTP ${status} ${code}${exchangeMessage ? `: ${exchangeMessage}` : ''}${details ? ` (${details})` : ''}`);
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }

  get isServerError(): boolean {
    return this.status >= 500;
  }

  /** Post-only order that would have crossed (single create: 400 invalid_order; batch: per-item error). */
  get isPostOnlyCross(): boolean {
    return /post[ _]only[ _]cross/i.test(`${this.code} ${this.exchangeMessage} ${this.details ?? ''}`);
  }

  /** client_order_id already used (HTTP 409 / ORDER_ALREADY_EXISTS). */
  get isDuplicateOrder(): boolean {
    return this.status === 409 || /order_already_exists|duplicate/i.test(this.code);
  }
}

/** The request never got an answer (network error or our timeout). The outcome at the exchange is unknown. */
export class KalshiTransportError extends Error {
  override name = 'KalshiTransportError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Kalshi ${method} ${path}: ${reason}`);
  }
}

/** The exchange answered 2xx with a body that does not match the documented shape. */
export class KalshiProtocolError extends Error {
  override name = 'KalshiProtocolError';
}
