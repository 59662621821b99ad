/**
 * Paper results per day / series / window from the ledger (SPEC §5.6). Pure.
 *
 * Definitions (per group; the group of a record is its window's ET date — the `YYYY-MM-DD/` prefix of
 * the window id, else the ET date of `ts_ms` — its series and its window label):
 * - `quotes`: quote records (each is one order: ids are unique per quote revision);
 * - `fills`: paper_fill records; `filled_orders`: quoted orders with at least one fill;
 *   `fill_rate` = filled_orders / quotes (null without quotes); `filled_contracts`, `fees` from fills;
 * - `realized_pnl`: sum of settlement `pnl` (after fees), exact to the micro-dollar;
 * - `quoted_markets`: distinct markets quoted in the group; `unsettled_markets`: those without a result yet;
 * - model calibration, **once per quoted market per window**: the market's forecast is the `model_prob` of
 *   its last quote record (by `ts_ms`, then `seq`) before the window's freeze (target − `freezeOffsetMs`,
 *   the target read from the window label `hourly-HHMM` / `close-HHMM`; a label without a time has no
 *   cutoff), scored against the market's settlement `result` found anywhere in the ledger:
 *   `brier` = mean (p − o)², `log_loss` = −mean(o·ln p + (1 − o)·ln(1 − p)) with p clamped to
 *   [ε, 1 − ε], ε = 1e-6, and a `reliability` table of 10 probability bins [0, 0.1) … [0.9, 1.0]: count,
 *   mean forecast, observed frequency of YES (null in an empty bin). A market re-quoted 100 times counts once.
 * - `median_quote_life_ms`: median over the group's quotes of (end − quote `ts_ms`), the end being the
 *   order's first cancel, its completing paper_fill (`filled_total` ≥ `size`) or its settlement record,
 *   matched by `client_order_id` (null when no quote has ended yet).
 * - churn and queue position (issue 11): `refresh_cancels` = the quoter's own cancels (reasons `not_desired`,
 *   `replaced`, `duplicate_in_slot`; not freeze, stale feed, kill switch…); `requoted_within_3s` = those
 *   followed by a new quote on the same market and side within 3 s (`REQUOTE_WINDOW_MS`): a queue position
 *   given up only to join the back again (a `replaced` order always is: its replacement follows at once);
 *   `queue_kept_share` = 1 − requoted_within_3s / refresh_cancels (null without refresh cancels);
 *   `not_desired_cancels` / `not_desired_requoted_3s`: the same for `not_desired` cancels alone (the slot left
 *   the desired set, then came back). `mean_fill_prob` = mean `fill_prob` of the quotes that carry one (compare
 *   with `fill_rate`).
 * The total row aggregates the same way over every group (markets once per window; the reliability
 * table the text output prints is the total's).
 */
import { calibrationOf, newScores, score, type Calibration, type Scores } from './eval/scores.ts';
export { LOG_LOSS_EPS, RELIABILITY_BINS, type Calibration, type ReliabilityBin } from './eval/scores.ts';
import { ledgerDollarsToMicros, ledgerDollarsToPips, ledgerContractsToCenti, type LedgerRecord } from './ledger/record.ts';
import { etDateOf, etToMs } from './time/et.ts';

export const DEFAULT_FREEZE_OFFSET_MS = 2000;
/** A refresh cancel re-quoted on its slot within this long gave its queue position away. */
export const REQUOTE_WINDOW_MS = 3000;
const REFRESH_REASONS: ReadonlySet<string> = new Set(['not_desired', 'replaced', 'duplicate_in_slot']);

export interface ScoreRow {
  day: string;
  series: string;
  window: string;
  quotes: number;
  fills: number;
  filled_orders: number;
  fill_rate: number | null;
  filled_contracts: number;
  fees: number;
  settled_orders: number;
  realized_pnl: number;
  quoted_markets: number;
  unsettled_markets: number;
  median_quote_life_ms: number | null;
  refresh_cancels: number;
  requoted_within_3s: number;
  queue_kept_share: number | null;
  not_desired_cancels: number;
  not_desired_requoted_3s: number;
  mean_fill_prob: number | null;
  calibration: Calibration;
}

export interface Scoreboard {
  rows: ScoreRow[];
  total: ScoreRow;
}

export interface ScoreboardFilter {
  fromDate?: string;
  toDate?: string;
  series?: string;
  /** Freeze = target − this (`windows.freeze_offset_seconds`); default 2 s. */
  freezeOffsetMs?: number;
}

interface LastQuote {
  ts: number;
  seq: number;
  p: number;
}

interface Acc {
  day: string;
  series: string;
  window: string;
  /** Freeze instant of the window, or null when the label carries no target time. */
  freezeMs: number | null;
  quotes: number;
  fills: number;
  filledIds: Set<string>;
  filledCenti: number;
  feePips: number;
  settled: number;
  pnlMicros: number;
  /** Every market quoted in the group → its last quote before the freeze (null: only quoted after it). */
  markets: Map<string, LastQuote | null>;
  lives: number[];
  refreshCancels: number;
  requoted: number;
  notDesired: number;
  notDesiredRequoted: number;
  fillProbSum: number;
  fillProbN: number;
}

const WINDOW_ID = /^(\d{4}-\d{2}-\d{2})\/(.+)$/;
const LABEL_TIME = /-(\d{2})(\d{2})$/;

export function groupOf(r: LedgerRecord): { day: string; window: string } {
  const m = WINDOW_ID.exec(r.window);
  return m ? { day: m[1]!, window: m[2]! } : { day: etDateOf(r.ts_ms), window: r.window };
}

/** The freeze instant of a window (`hourly-1000` on 2026-11-20 → 09:59:58 ET with a 2 s offset). */
export function windowFreezeMs(day: string, window: string, freezeOffsetMs = DEFAULT_FREEZE_OFFSET_MS): number | null {
  const m = LABEL_TIME.exec(window);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  try {
    return etToMs(day, `${m[1]}:${m[2]}`, 'compatible') - freezeOffsetMs;
  } catch {
    return null;
  }
}


export function computeScoreboard(records: readonly LedgerRecord[], filter: ScoreboardFilter = {}): Scoreboard {
  const freezeOffsetMs = filter.freezeOffsetMs ?? DEFAULT_FREEZE_OFFSET_MS;
  // Outcomes by market, and the end of every order's life by client_order_id (first cancel, completing fill, settlement).
  const outcomes = new Map<string, 0 | 1>();
  const ends = new Map<string, number>();
  const ended = (id: string, ts: number) => {
    const e = ends.get(id);
    if (e === undefined || ts < e) ends.set(id, ts);
  };
  // Quote instants per (window, market, side), ascending: did a refresh cancel rejoin its slot soon after?
  const slotQuotes = new Map<string, number[]>();
  for (const r of records) {
    if (r.type !== 'quote') continue;
    const k = slotOf(r);
    const list = slotQuotes.get(k);
    if (list) list.push(r.ts_ms);
    else slotQuotes.set(k, [r.ts_ms]);
  }
  for (const list of slotQuotes.values()) list.sort((a, b) => a - b);
  const requotedSoon = (r: LedgerRecord): boolean => {
    const list = slotQuotes.get(slotOf(r));
    if (!list) return false;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < r.ts_ms) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo]! - r.ts_ms <= REQUOTE_WINDOW_MS;
  };
  const refresh = new Map<LedgerRecord, boolean>();
  for (const r of records) if (r.type === 'cancel' && REFRESH_REASONS.has(r.reason)) refresh.set(r, requotedSoon(r));
  for (const r of records) {
    if (r.type === 'settlement') {
      outcomes.set(r.kalshi_market_id, r.result === 'yes' ? 1 : 0);
      ended(r.client_order_id, r.ts_ms);
    } else if (r.type === 'cancel') ended(r.client_order_id, r.ts_ms);
    else if (r.type === 'paper_fill' && ledgerContractsToCenti(r.filled_total) >= ledgerContractsToCenti(r.size)) ended(r.client_order_id, r.ts_ms);
  }

  const groups = new Map<string, Acc>();
  const total = newAcc('all', 'all', 'all', null);
  for (const r of records) {
    const { day, window } = groupOf(r);
    if (filter.fromDate && day < filter.fromDate) continue;
    if (filter.toDate && day > filter.toDate) continue;
    if (filter.series && r.series !== filter.series) continue;
    const key = `${day}\u0000${r.series}\u0000${window}`;
    let acc = groups.get(key);
    if (!acc) groups.set(key, (acc = newAcc(day, r.series, window, windowFreezeMs(day, window, freezeOffsetMs))));
    add(acc, r, ends, refresh);
    addCounts(total, r, ends, refresh);
  }
  const sorted = [...groups.values()].sort((a, b) => a.day.localeCompare(b.day) || a.window.localeCompare(b.window) || a.series.localeCompare(b.series));
  const rows: ScoreRow[] = [];
  const totalScores = newScores();
  let totalMarkets = 0;
  let totalUnsettled = 0;
  for (const a of sorted) {
    const scores = newScores();
    let unsettled = 0;
    for (const [market, last] of a.markets) {
      const o = outcomes.get(market);
      if (o === undefined) {
        unsettled++;
        continue;
      }
      if (last === null) continue;
      score(scores, last.p, o);
      score(totalScores, last.p, o);
    }
    totalMarkets += a.markets.size;
    totalUnsettled += unsettled;
    rows.push(toRow(a, a.markets.size, unsettled, scores));
  }
  return { rows, total: toRow(total, totalMarkets, totalUnsettled, totalScores) };
}

function newAcc(day: string, series: string, window: string, freezeMs: number | null): Acc {
  return { day, series, window, freezeMs, quotes: 0, fills: 0, filledIds: new Set(), filledCenti: 0, feePips: 0, settled: 0, pnlMicros: 0, markets: new Map(), lives: [], refreshCancels: 0, requoted: 0, notDesired: 0, notDesiredRequoted: 0, fillProbSum: 0, fillProbN: 0 };
}

const slotOf = (r: LedgerRecord) => `${r.window}\u0000${r.kalshi_market_id}\u0000${r.side}`;

function add(a: Acc, r: LedgerRecord, ends: Map<string, number>, refresh: Map<LedgerRecord, boolean>): void {
  addCounts(a, r, ends, refresh);
  if (r.type !== 'quote') return;
  const prev = a.markets.get(r.kalshi_market_id);
  if (a.freezeMs !== null && r.ts_ms >= a.freezeMs) {
    if (prev === undefined) a.markets.set(r.kalshi_market_id, null);
    return;
  }
  if (!prev || r.ts_ms > prev.ts || (r.ts_ms === prev.ts && r.seq > prev.seq)) a.markets.set(r.kalshi_market_id, { ts: r.ts_ms, seq: r.seq, p: r.model_prob });
}

function addCounts(a: Acc, r: LedgerRecord, ends: Map<string, number>, refresh: Map<LedgerRecord, boolean>): void {
  switch (r.type) {
    case 'quote': {
      a.quotes++;
      const end = ends.get(r.client_order_id);
      if (end !== undefined) a.lives.push(Math.max(0, end - r.ts_ms));
      if (r.fill_prob !== null) {
        a.fillProbSum += r.fill_prob;
        a.fillProbN++;
      }
      break;
    }
    case 'paper_fill':
      a.fills++;
      // Counted per (window, order): an id belongs to one quote.
      a.filledIds.add(r.client_order_id);
      a.filledCenti += ledgerContractsToCenti(r.fill_size);
      a.feePips += ledgerDollarsToPips(r.fee);
      break;
    case 'settlement':
      a.settled++;
      a.pnlMicros += ledgerDollarsToMicros(r.pnl);
      break;
    case 'cancel': {
      const soon = refresh.get(r);
      if (soon !== undefined) {
        a.refreshCancels++;
        if (soon) a.requoted++;
        if (r.reason === 'not_desired') {
          a.notDesired++;
          if (soon) a.notDesiredRequoted++;
        }
      }
      break;
    }
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function toRow(a: Acc, quotedMarkets: number, unsettled: number, s: Scores): ScoreRow {
  return {
    day: a.day,
    series: a.series,
    window: a.window,
    quotes: a.quotes,
    fills: a.fills,
    filled_orders: a.filledIds.size,
    fill_rate: a.quotes > 0 ? a.filledIds.size / a.quotes : null,
    filled_contracts: a.filledCenti / 100,
    fees: a.feePips / 10_000,
    settled_orders: a.settled,
    realized_pnl: Number((a.pnlMicros / 1_000_000).toFixed(6)) + 0,
    quoted_markets: quotedMarkets,
    unsettled_markets: unsettled,
    median_quote_life_ms: median(a.lives),
    refresh_cancels: a.refreshCancels,
    requoted_within_3s: a.requoted,
    queue_kept_share: a.refreshCancels > 0 ? 1 - a.requoted / a.refreshCancels : null,
    not_desired_cancels: a.notDesired,
    not_desired_requoted_3s: a.notDesiredRequoted,
    mean_fill_prob: a.fillProbN > 0 ? a.fillProbSum / a.fillProbN : null,
    calibration: calibrationOf(s),
  };
}
