/**
 * What a trading window needs besides the venue and the broker: the index value it may trust (SPEC §6.3),
 * a gate that says whether quoting is allowed at all right now (kill switch, pending cancel-all,
 * maintenance: SPEC §6.5), and the journal that remembers why each quote was placed (the paper ledger).
 */
import type { FeedName } from '../core/feed/feed-name.ts';
import type { QuoteContext } from '../core/ledger/build.ts';
import type { IndexSymbol } from '../core/series.ts';

export interface SpotReading {
  ok: boolean;
  value?: number;
  /** now − receipt of the last message of the active feed; null when unknown / bypassed. */
  ageMs: number | null;
  strict: boolean;
  thresholdMs: number;
  activeFeed: FeedName | null;
  /** Why not ok: `stale`, `stand_down`, `no_data`. */
  reason?: string;
  /** True when freshness gating is bypassed (offline / --no-ws-listen). */
  bypassed?: boolean;
}

export interface SpotSource {
  read(symbol: IndexSymbol, strict: boolean, nowMs: number): SpotReading;
  /** The same market priced off each feed (SPEC §7.5 ev_gap): the latest value of every feed that has one. */
  perFeed?(symbol: IndexSymbol): Partial<Record<FeedName, number>>;
  /**
   * The index values printed in [fromMs, toMs] (at least one per minute), when the source keeps them: the
   * adaptive σ reads the day so far from it at the first cycle of a window. Optional: without it the day's
   * state starts at the first value the engine prices with.
   */
  history?(symbol: IndexSymbol, fromMs: number, toMs: number): readonly { tMs: number; value: number }[];
}

/** Why quoting is blocked right now, or undefined when it is allowed. */
export interface TradingGate {
  blocked(nowMs: number): { reason: string } | undefined;
}

/** Remembers what the engine knew when it placed a quote (dry: the paper ledger's quote context). */
export interface QuoteJournal {
  /** Called before `broker.place`; throws if the context cannot be recorded (then nothing is placed). */
  describe(clientOrderId: string, ctx: QuoteContext): void;
}

export const noJournal: QuoteJournal = { describe() {} };
export const openGate: TradingGate = { blocked: () => undefined };
