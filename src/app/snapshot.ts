/**
 * `data/proc/state/hot_restart.json` (SPEC §6.6, §7.2): the supervisor's snapshot, written atomically at
 * least every second while it runs and on every order-state change. One file serves the restart (active
 * window, upcoming windows, outstanding orders, quoting state, active feed), the operator's other tools
 * (`hot-restart status`, `monitors`, the dashboard read it from another process) and says whether the
 * supervisor is running (`running`, `captured_at`).
 * Readers validate it; a corrupt or future-dated file is reported and set aside, never trusted.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../adapters/fs/atomic-write.ts';
import type { TradingWindow } from '../core/windows.ts';

export const WINDOW_STATES = ['pending', 'preflight', 'active', 'strict', 'frozen', 'settling', 'done', 'no_go', 'error', 'skipped'] as const;
export type WindowState = (typeof WINDOW_STATES)[number];

const WindowEntry = z.object({
  id: z.string(),
  label: z.string(),
  series: z.array(z.string()),
  start_ms: z.number().int(),
  strict_ms: z.number().int(),
  freeze_ms: z.number().int(),
  target_ms: z.number().int(),
  state: z.enum(WINDOW_STATES),
  reasons: z.array(z.string()),
  quotes: z.number().int().nonnegative(),
  fills: z.number().int().nonnegative(),
  pnl_usd: z.number(),
});
export type WindowEntry = z.infer<typeof WindowEntry>;

/** A window's identity and times as the snapshot (and the dashboard's view of it) spell them. */
export function windowTimes(w: TradingWindow): Pick<WindowEntry, 'id' | 'label' | 'series' | 'start_ms' | 'strict_ms' | 'freeze_ms' | 'target_ms'> {
  return { id: w.id, label: w.label, series: [...w.series], start_ms: w.startMs, strict_ms: w.strictMs, freeze_ms: w.freezeMs, target_ms: w.targetMs };
}

const FeedEntry = z.object({ age_ms: z.number().nullable(), lag_ms: z.number().nullable() });

export const SnapshotSchema = z.looseObject({
  version: z.literal(1),
  captured_at: z.string(),
  captured_ms: z.number().int().nonnegative(),
  pid: z.number().int(),
  running: z.boolean(),
  source: z.enum(['sim', 'offline', 'online', 'replay']),
  mode: z.enum(['dry', 'live']),
  day: z.string().nullable(),
  active_window: WindowEntry.nullable(),
  upcoming_windows: z.array(WindowEntry),
  windows_today: z.array(WindowEntry),
  outstanding: z.object({ count: z.number().int().nonnegative(), client_order_ids: z.array(z.string()) }),
  feeds: z
    .object({
      active: z.enum(['polygon', 'massive', 'stand_down']),
      switches: z.number().int().nonnegative(),
      last_switch_ms: z.number().nullable(),
      polygon: FeedEntry,
      massive: FeedEntry,
    })
    .nullable(),
  kill_switch: z.boolean(),
  maintenance: z.object({ start_ms: z.number(), end_ms: z.number() }).nullable(),
  /** Quoting state per series of the active window (core/quoting/state.ts), for the restart. */
  quoting: z.array(z.looseObject({ version: z.literal(1), windowId: z.string(), series: z.string() })),
  /** Paper queue positions of resting dry orders (kept across a hot restart). */
  paper: z.object({ queue: z.record(z.string(), z.object({ queueAhead: z.number().int().nonnegative(), levelSeen: z.number().int().nonnegative() })) }).optional(),
  /** ΔEV parity of the last window's quoted markets (SPEC §7.5). */
  ev_gap: z.record(z.string(), z.object({ maxCents: z.number(), meanCents: z.number(), n: z.number() })),
  /** Process health and counters since the supervisor started (the dashboard's /metrics reads them). */
  stats: z
    .object({
      started_ms: z.number(),
      /** Event-loop delay p99 over the last second, ms (real time). */
      event_loop_lag_ms: z.number().nullable(),
      /** Median ledger group-commit latency over the last 100 writes, ms (real time). */
      ledger_write_ms: z.number().nullable(),
      quotes: z.number().int().nonnegative(),
      fills: z.number().int().nonnegative(),
      cancels: z.number().int().nonnegative(),
      rejects: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      /** Preflight NO-GO reasons seen, with how many windows each blocked. */
      no_go: z.record(z.string(), z.number().int().nonnegative()),
    })
    .optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Atomic (never torn) but not fsync'd: see `durable` in atomic-write.ts for why that is right here. */
export function writeSnapshot(file: string, s: Snapshot): void {
  writeFileAtomic(file, JSON.stringify(s) + '\n', { durable: false });
}

export type SnapshotRead =
  | { kind: 'missing' }
  | { kind: 'ok'; snapshot: Snapshot; ageMs: number }
  | { kind: 'invalid'; reason: string; setAsidePath?: string };

/**
 * Reads and validates the snapshot. An unreadable, invalid or future-dated file is reported (and, with
 * `setAside`, renamed to `<file>.corrupt-<ms>` so nothing trusts it again).
 */
export function readSnapshot(file: string, nowMs: number, o: { setAside?: boolean; futureToleranceMs?: number } = {}): SnapshotRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return invalid(file, `unreadable: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, nowMs, false);
  }
  let reason: string;
  try {
    const r = SnapshotSchema.safeParse(JSON.parse(text));
    if (r.success) {
      const ageMs = nowMs - r.data.captured_ms;
      if (ageMs < -(o.futureToleranceMs ?? 1000)) reason = `captured_at is in the future (${-ageMs} ms ahead)`;
      else return { kind: 'ok', snapshot: r.data, ageMs: Math.max(0, ageMs) };
    } else {
      const i = r.error.issues[0]!;
      reason = `${i.path.join('.') || '(root)'}: ${i.message}`;
    }
  } catch (e) {
    reason = `not valid JSON (${(e as Error).message.split('\n')[0]})`;
  }
  return invalid(file, reason, nowMs, o.setAside ?? false);
}

function invalid(file: string, reason: string, nowMs: number, setAside: boolean): SnapshotRead {
  if (!setAside) return { kind: 'invalid', reason };
  const setAsidePath = `${file}.corrupt-${nowMs}`;
  try {
    fs.renameSync(file, setAsidePath);
    return { kind: 'invalid', reason, setAsidePath };
  } catch {
    return { kind: 'invalid', reason };
  }
}
