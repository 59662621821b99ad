/**
 * Client-side token buckets mirroring Kalshi's (reference §5): separate read and write buckets, refilled
 * continuously; a request waits (on the injected clock) until its cost fits. Waiters are served in order.
 */
import type { Clock } from '../../ports/clock.ts';

/** Token costs of the endpoints we call (default 10; V2 cancel 2). */
export const TOKEN_COST = { default: 10, create: 10, cancel: 2, amend: 10, decrease: 10 } as const;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    readonly refillPerSecond: number,
    readonly capacity: number,
  ) {
    if (!(refillPerSecond > 0) || !(capacity > 0)) throw new RangeError('TokenBucket: rate and capacity must be > 0');
    this.tokens = capacity;
    this.last = clock.now();
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Resolves once `cost` tokens have been taken. A cost above capacity can never fit and throws. */
  take(cost: number, signal?: AbortSignal): Promise<void> {
    if (cost > this.capacity) return Promise.reject(new RangeError(`TokenBucket: cost ${cost} exceeds capacity ${this.capacity}`));
    const turn = this.queue.then(() => this.waitFor(cost, signal));
    // Keep the chain alive even if one waiter is aborted.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitFor(cost: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return;
      }
      const waitMs = Math.ceil(((cost - this.tokens) / this.refillPerSecond) * 1000);
      await this.clock.sleep(Math.max(1, waitMs), signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
      this.last = now;
    }
  }
}

export interface RateLimitConfig {
  read_tokens_per_s: number;
  write_tokens_per_s: number;
  read_bucket_seconds: number;
  write_bucket_seconds: number;
}

export type BucketName = 'read' | 'write';

export class KalshiRateLimiter {
  readonly read: TokenBucket;
  readonly write: TokenBucket;

  constructor(clock: Clock, cfg: RateLimitConfig) {
    this.read = new TokenBucket(clock, cfg.read_tokens_per_s, cfg.read_tokens_per_s * cfg.read_bucket_seconds);
    this.write = new TokenBucket(clock, cfg.write_tokens_per_s, cfg.write_tokens_per_s * cfg.write_bucket_seconds);
  }

  take(bucket: BucketName, cost: number, signal?: AbortSignal): Promise<void> {
    return this[bucket].take(cost, signal);
  }
}
