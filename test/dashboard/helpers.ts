/** Shared fixtures for the dashboard tests: a generated ledger day, a synthetic snapshot, an HTTP helper. */
import fs from 'node:fs';
import path from 'node:path';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { etToMs, formatEt } from '../../src/core/time/et.ts';
import { writeSnapshot, type Snapshot, type WindowEntry } from '../../src/app/snapshot.ts';
import { resolvePaths, type Paths } from '../../src/config/paths.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { windowsForDay } from '../../src/core/windows.ts';
import { seededRandom } from '../../src/sim/day/index-path.ts';

export const DAY = '2026-11-20';

/** Deterministic PRNG: the simulator's own (mulberry32). */
export const rng = seededRandom;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * A day of ledger records over the given windows (labels like `hourly-1500`): per window a few markets
 * re-quoted many times (some quotes after the freeze), cancels, fills, and one settlement per order.
 */
export function generateDay(seed: number, labels: string[] = ['hourly-1400', 'hourly-1500'], day = DAY): LedgerRecordInput[] {
  const rand = rng(seed);
  const out: LedgerRecordInput[] = [];
  for (const label of labels) {
    const hh = label.slice(-4, -2);
    const mm = label.slice(-2);
    const target = etToMs(day, `${hh}:${mm}`);
    const window = `${day}/${label}`;
    const series: 'INX' | 'INXU' = label.startsWith('close') ? 'INX' : 'INXU';
    for (let m = 0; m < 4; m++) {
      const market = `KX${series}-26NOV20H${hh}${mm}-T${6700 + 25 * m}`;
      const result: 'yes' | 'no' = rand() < 0.5 ? 'yes' : 'no';
      const orders: string[] = [];
      for (let q = 0; q < 6; q++) {
        // Quotes from 14 min before the target up to 1 s after the freeze (the last ones must not count).
        const ts = target - 14 * 60_000 + Math.floor((q / 5) * (14 * 60_000 - 1000)) + (q === 5 ? 1000 : 0);
        const p = Math.min(0.99, Math.max(0.01, r4(rand())));
        const id = `ka-${label}-${m}-${q}`;
        orders.push(id);
        const base = {
          ts_ms: ts, timestamp_et: formatEt(ts), mode: 'dry' as const, series, window, kalshi_market_id: market,
          event_ticker: market.split('-').slice(0, 2).join('-'), strike: 6700 + 25 * m, strike_type: 'greater' as const,
          side: (rand() < 0.5 ? 'buy' : 'sell') as 'buy' | 'sell', price: r4(Math.min(0.98, Math.max(0.02, p - 0.05))), size: 1,
          ev_after_fees_cents: 5, fill_prob: null, model_prob: p, client_order_id: id, active_feed: 'polygon' as const, feed_age_ms: 120,
        };
        out.push({ type: 'quote', ...base });
        if (rand() < 0.3) out.push({ ...base, type: 'paper_fill', ts_ms: ts + 500, timestamp_et: formatEt(ts + 500), fill_price: base.price, fill_size: 1, fee: 0.0044, fill_cause: 'trade_through', trade_id: `t${q}`, filled_total: 1 });
        else out.push({ ...base, type: 'cancel', ts_ms: ts + 900, timestamp_et: formatEt(ts + 900), reason: 'replaced', filled: 0 });
      }
      const settleTs = target + 5000 + m;
      for (const id of orders) {
        const filled = out.some((r) => r.type === 'paper_fill' && r.client_order_id === id);
        const q = out.find((r) => r.type === 'quote' && r.client_order_id === id)!;
        // Buy YES at p: +(1 − p) on YES, −p on NO; sell YES: the opposite; minus the fee.
        const yesPnl = result === 'yes' ? 1 - q.price : -q.price;
        const pnl = filled ? Number(((q.side === 'buy' ? yesPnl : -yesPnl) - 0.0044).toFixed(6)) : 0;
        out.push({ ...q, type: 'settlement', ts_ms: settleTs, timestamp_et: formatEt(settleTs), result, settled_size: filled ? 1 : 0, fee: filled ? 0.0044 : 0, pnl } as LedgerRecordInput);
      }
    }
  }
  return out.sort((a, b) => a.ts_ms - b.ts_ms);
}

/** Appends records through the product's ledger writer; returns them with their seq. */
export function writeLedger(file: string, inputs: LedgerRecordInput[]): LedgerRecord[] {
  const w = LedgerWriter.open(file, { durability: 'none' });
  try {
    return w.appendBatch(inputs);
  } finally {
    w.close();
  }
}

export function homePaths(home: string): Paths {
  return resolvePaths(home);
}

/** A snapshot of a supervisor in the middle of close-1600 (pid: this process, so it counts as alive). */
export function syntheticSnapshot(o: { running?: boolean; pid?: number; stats?: Snapshot['stats']; states?: Record<string, WindowEntry['state']>; reasons?: Record<string, string[]>; nowEt?: string } = {}): Snapshot {
  const now = etToMs(DAY, o.nowEt ?? '15:55:00');
  const cal = createCalendar();
  const entries = windowsForDay(DAY, cal).map((w): WindowEntry => ({
    id: w.id, label: w.label, series: [...w.series], start_ms: w.startMs, strict_ms: w.strictMs, freeze_ms: w.freezeMs, target_ms: w.targetMs,
    state: o.states?.[w.label] ?? (w.targetMs <= now ? 'done' : w.startMs <= now ? 'active' : 'pending'),
    reasons: o.reasons?.[w.label] ?? [], quotes: 0, fills: 0, pnl_usd: 0,
  }));
  const active = entries.find((e) => e.start_ms <= now && now < e.target_ms) ?? null;
  return {
    version: 1, captured_at: formatEt(now), captured_ms: now, pid: o.pid ?? process.pid, running: o.running ?? true, source: 'sim', mode: 'dry',
    day: DAY, active_window: active, upcoming_windows: [], windows_today: entries,
    outstanding: { count: 0, client_order_ids: [] },
    feeds: { active: 'massive', switches: 3, last_switch_ms: now - 60_000, polygon: { age_ms: 2400, lag_ms: 20 }, massive: { age_ms: 150, lag_ms: 40 } },
    kill_switch: false, maintenance: null, quoting: [], ev_gap: {},
    ...(o.stats ? { stats: o.stats } : {}),
  };
}

export function putSnapshot(paths: Paths, s: Snapshot): void {
  writeSnapshot(paths.hotRestart, s);
}

export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs` (real time). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
