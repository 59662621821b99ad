/**
 * The paper ledger as the dashboard sees it, followed incrementally (AppendTail): the last N records,
 * and per trading day (the window's ET date, as the scoreboard groups records) the record counts, the
 * realised PnL curve (cumulative settlement `pnl`, after fees) and what the scoreboard's reliability
 * table needs — nothing more is kept, so memory stays bounded however long the file is.
 *
 * Calibration is the scoreboard's own (`computeScoreboard`), fed a reduced record set that yields the
 * same scores: per (window, market) only the last quote before the window's freeze (the one forecast the
 * scoreboard scores) and per market one settlement (its result).
 */
import { LedgerRecordSchema, ledgerDollarsToMicros, type LedgerRecord, type LedgerRecordType } from '../core/ledger/record.ts';
import { computeScoreboard, groupOf, windowFreezeMs, DEFAULT_FREEZE_OFFSET_MS, type Calibration } from '../core/scoreboard.ts';
import { AppendTail } from './append-tail.ts';
import { zodReason } from './file-sources.ts';

export interface SkippedLedgerLine {
  line: number;
  reason: string;
}

export class DayAggregate {
  readonly counts: Record<LedgerRecordType, number> = { quote: 0, cancel: 0, paper_fill: 0, settlement: 0 };
  /** Settlement PnL in micro-dollars, in file order: [ts_ms, pnl_micros]. */
  private readonly settlements: [number, number][] = [];
  private readonly lastQuotes = new Map<string, LedgerRecord>();
  private readonly outcomes = new Map<string, LedgerRecord>();
  private calibrationCache: Calibration | undefined;
  /** Per window label (`close-1600`): quotes, fills, realised PnL (micro-dollars). */
  readonly windows = new Map<string, { quotes: number; fills: number; settlements: number; pnlMicros: number }>();
  firstTsMs: number | null = null;

  constructor(
    readonly day: string,
    private readonly freezeOffsetMs: number,
  ) {}

  add(r: LedgerRecord, window: string): void {
    this.counts[r.type]++;
    let w = this.windows.get(window);
    if (!w) this.windows.set(window, (w = { quotes: 0, fills: 0, settlements: 0, pnlMicros: 0 }));
    if (r.type === 'quote') w.quotes++;
    else if (r.type === 'paper_fill') w.fills++;
    else if (r.type === 'settlement') {
      w.settlements++;
      w.pnlMicros += ledgerDollarsToMicros(r.pnl);
    }
    if (this.firstTsMs === null || r.ts_ms < this.firstTsMs) this.firstTsMs = r.ts_ms;
    if (r.type === 'settlement') {
      this.settlements.push([r.ts_ms, ledgerDollarsToMicros(r.pnl)]);
      if (!this.outcomes.has(r.kalshi_market_id)) {
        this.outcomes.set(r.kalshi_market_id, r);
        this.calibrationCache = undefined;
      }
    } else if (r.type === 'quote') {
      const freeze = windowFreezeMs(this.day, window, this.freezeOffsetMs);
      if (freeze !== null && r.ts_ms >= freeze) return;
      const key = `${r.window}\u0000${r.kalshi_market_id}`;
      const prev = this.lastQuotes.get(key);
      if (!prev || r.ts_ms > prev.ts_ms || (r.ts_ms === prev.ts_ms && r.seq > prev.seq)) {
        this.lastQuotes.set(key, r);
        this.calibrationCache = undefined;
      }
    }
  }

  /** Realised PnL (dollars) since the day's first record: [[epoch s, cumulative $]], one point per instant. */
  pnlSeries(): { points: [number, number][]; totalUsd: number } {
    const sorted = [...this.settlements].sort((a, b) => a[0] - b[0]);
    const points: [number, number][] = [];
    let cum = 0;
    if (sorted.length > 0 && this.firstTsMs !== null && this.firstTsMs < sorted[0]![0]) points.push([this.firstTsMs / 1000, 0]);
    for (const [ts, micros] of sorted) {
      cum += micros;
      const t = ts / 1000;
      const last = points[points.length - 1];
      if (last && last[0] === t) last[1] = cum / 1e6;
      else points.push([t, cum / 1e6]);
    }
    return { points, totalUsd: cum / 1e6 };
  }

  calibration(): Calibration {
    this.calibrationCache ??= computeScoreboard([...this.lastQuotes.values(), ...this.outcomes.values()], { freezeOffsetMs: this.freezeOffsetMs }).total.calibration;
    return this.calibrationCache;
  }
}

export interface LedgerViewOptions {
  recent?: number;
  freezeOffsetMs?: number;
  /** Days kept (most recent by date). */
  maxDays?: number;
}

export class LedgerView {
  private readonly tail: AppendTail;
  private readonly recentMax: number;
  private readonly freezeOffsetMs: number;
  private readonly maxDays: number;
  private recentRecords: LedgerRecord[] = [];
  private days = new Map<string, DayAggregate>();
  private skippedCount = 0;
  private skippedLast: SkippedLedgerLine[] = [];
  /** Bumped whenever anything derived changed (the page re-sends a section only then). */
  version = 0;
  partialBytes = 0;
  behind = false;
  exists = false;

  constructor(
    readonly file: string,
    o: LedgerViewOptions = {},
  ) {
    this.tail = new AppendTail(file);
    this.recentMax = o.recent ?? 50;
    this.freezeOffsetMs = o.freezeOffsetMs ?? DEFAULT_FREEZE_OFFSET_MS;
    this.maxDays = o.maxDays ?? 10;
  }

  /** Reads what was appended (or starts over after a rotation); never throws on content. */
  poll(): void {
    const p = this.tail.poll();
    this.exists = p.exists;
    if (p.reset) {
      this.recentRecords = [];
      this.days = new Map();
      this.skippedCount = 0;
      this.skippedLast = [];
      this.version++;
    }
    if (p.lines.length > 0) this.version++;
    for (const { lineNo, text } of p.lines) this.ingest(lineNo, text);
    if (this.recentRecords.length > this.recentMax) this.recentRecords = this.recentRecords.slice(-this.recentMax);
    this.partialBytes = p.partialBytes;
    this.behind = p.behind;
  }

  private ingest(lineNo: number, text: string): void {
    if (text.trim() === '') return;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return this.skip(lineNo, `invalid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    const r = LedgerRecordSchema.safeParse(doc);
    if (!r.success) return this.skip(lineNo, `invalid record (${zodReason(r.error)})`);
    const rec = r.data as LedgerRecord;
    this.recentRecords.push(rec);
    if (this.recentRecords.length > 4 * this.recentMax) this.recentRecords = this.recentRecords.slice(-this.recentMax);
    const { day, window } = groupOf(rec);
    let agg = this.days.get(day);
    if (!agg) {
      this.days.set(day, (agg = new DayAggregate(day, this.freezeOffsetMs)));
      if (this.days.size > this.maxDays) {
        const oldest = [...this.days.keys()].sort()[0]!;
        this.days.delete(oldest);
      }
    }
    agg.add(rec, window);
  }

  private skip(line: number, reason: string): void {
    this.skippedCount++;
    this.skippedLast.push({ line, reason });
    if (this.skippedLast.length > 5) this.skippedLast.shift();
  }

  /** The last records, newest first. */
  recent(): LedgerRecord[] {
    return this.recentRecords.slice(-this.recentMax).reverse();
  }

  day(date: string): DayAggregate | undefined {
    return this.days.get(date);
  }

  skipped(): { count: number; last: SkippedLedgerLine[] } {
    return { count: this.skippedCount, last: [...this.skippedLast] };
  }
}
