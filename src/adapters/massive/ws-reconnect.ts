/**
 * When the Massive feed reconnects after a close (the failure policy of ws-client.ts):
 * - `max_connections` (another connection with this key evicted us): a long cool-down, doubling on repeated
 *   kicks (≤ 8×), with jitter on top (never less).
 * - anything else: jittered exponential backoff, base · 2^n capped, waiting in [d/2, d) ("equal jitter").
 * Neither the backoff nor the kick count resets on `auth_success`: only a connection that streamed for
 * `stableResetMs` resets them, so two processes on one key cannot settle into a ~1 Hz kick-war.
 */
import type { WsFeedConfig } from './ws-options.ts';

const MAX_KICK_MULTIPLIER = 8;

export class ReconnectPolicy {
  private failures = 0;
  private kicks = 0;

  constructor(
    private readonly cfg: Pick<WsFeedConfig, 'reconnectBaseMs' | 'reconnectMaxMs' | 'maxConnectionsCooldownMs' | 'stableResetMs'>,
    private readonly random: () => number,
  ) {}

  /** The wait before the next attempt; `streamedMs`: how long the closed connection streamed (null: never). */
  delayAfterClose(kicked: boolean, streamedMs: number | null): number {
    if (streamedMs !== null && streamedMs >= this.cfg.stableResetMs) {
      this.failures = 0;
      if (!kicked) this.kicks = 0;
    }
    return kicked ? this.cooldownDelay() : this.backoffDelay();
  }

  /** Jittered exponential backoff: d = min(max, base·2^n), wait in [d/2, d). */
  private backoffDelay(): number {
    const d = Math.min(this.cfg.reconnectMaxMs, this.cfg.reconnectBaseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /** Long cool-down after max_connections: cooldown · 2^(kicks−1) (≤ 8×), plus jitter on top, never less. */
  private cooldownDelay(): number {
    this.kicks++;
    this.failures++;
    const mult = Math.min(MAX_KICK_MULTIPLIER, 2 ** (this.kicks - 1));
    return Math.round(this.cfg.maxConnectionsCooldownMs * mult + this.random() * this.cfg.reconnectBaseMs);
  }
}
