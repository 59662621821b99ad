/**
 * `data/proc/state/hot_restart.json` (SPEC §6.6, §7.2): the supervisor's snapshot, written atomically at
 * least every second while it runs and on every order-state change. One file serves the restart (active
 * window, upcoming windows, outstanding orders, quoting state, active feed), the operator's other tools
 * (`hot-restart status`, `monitors`, the dashboard read it from another process) and says whether the
 * supervisor is running (`running`, `captured_at`).
 * Readers validate it; a corrupt or future-dated file is reported and set aside, never trusted.
 *
 * `clock` says which time stamped it (`captured_ms`): `real`, or `virtual` for a simulated session, whose
 * clock runs wherever its `--now` put it. A snapshot is only ever compared with a time of the same kind; one
 * of another clock is not "in the future" or "days old", it is simply not restorable by this run.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { CLOCK_KINDS, type ClockKind } from '../ports/clock.ts';
import { writeFileAtomic } from '../adapters/fs/atomic-write.ts';
import type { TradingWindow } from '../core/windows.ts';
import { formatEt } from '../core/time/et.ts';
import type { QueuePosition } from '../core/paper/exchange.ts';
import type { SeriesQuotingState } from '../core/quoting/state.ts';
import type { SupervisorState } from '../adapters/monitors/stamp.ts';

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
  /** The clock that stamped `captured_ms`. Absent in files written before it was recorded: see `snapshotClock`. */
  clock: z.enum(CLOCK_KINDS).optional(),
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

/** Which clock stamped the snapshot; for a file written before `clock` was recorded, the one its source runs on. */
export function snapshotClock(s: Pick<Snapshot, 'clock' | 'source'>): ClockKind {
  return s.clock ?? (s.source === 'online' ? 'real' : 'virtual');
}

export type SnapshotRead =
  | { kind: 'missing' }
  | { kind: 'ok'; snapshot: Snapshot; ageMs: number }
  /** Valid, but on a clock `nowMs` cannot be compared with: readable (status, monitors), never restorable. */
  | { kind: 'other_clock'; snapshot: Snapshot; reason: string }
  | { kind: 'invalid'; reason: string; setAsidePath?: string };

export interface ReadSnapshotOptions {
  /** Rename an invalid file to `<file>.corrupt-<ms>` so nothing trusts it again. */
  setAside?: boolean;
  futureToleranceMs?: number;
  /**
   * The kind of clock `nowMs` is on. Given, a snapshot of the other kind reads as `other_clock`, and so does
   * a virtual one ahead of a virtual `nowMs` (an earlier simulated session on this root ran past where this
   * one starts: another simulated timeline, not a corrupt file). Only a real snapshot ahead of real time is
   * future-dated. Not given, every snapshot is compared with `nowMs` as it is.
   */
  clock?: ClockKind;
}

/**
 * Reads and validates the snapshot. An unreadable, invalid or future-dated file is reported (and, with
 * `setAside`, renamed to `<file>.corrupt-<ms>` so nothing trusts it again).
 */
export function readSnapshot(file: string, nowMs: number, o: ReadSnapshotOptions = {}): SnapshotRead {
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
      const snap = r.data;
      const kind = snapshotClock(snap);
      if (o.clock && o.clock !== kind) {
        return { kind: 'other_clock', snapshot: snap, reason: `it was stamped by the ${kind} clock of a ${snap.source} session and this is judged on the ${o.clock} clock` };
      }
      const ageMs = nowMs - snap.captured_ms;
      const ahead = ageMs < -(o.futureToleranceMs ?? 1000);
      if (ahead && o.clock === 'virtual') {
        return { kind: 'other_clock', snapshot: snap, reason: `it is from a ${snap.source} session whose simulated clock ran to ${snap.captured_at}, later than ${formatEt(nowMs)}: another simulated timeline` };
      }
      if (ahead) reason = `captured_at is in the future (${-ageMs} ms ahead)`;
      else return { kind: 'ok', snapshot: snap, ageMs: Math.max(0, ageMs) };
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

/** What a start may resume from a snapshot (the one decision behind `supervisor-index` and `hot-restart restore`). */
export type RestoreVerdict =
  | { restorable: true; windowId: string; quoting: SeriesQuotingState[]; queue: Record<string, QueuePosition>; ageMs: number }
  | {
      restorable: false;
      /** Why not, in words an operator reads as a state, not an incident (except `error`). */
      reason: string;
      /** How a start reports it: `silent` for the ordinary cases (nothing on disk, nothing was active). */
      level: 'silent' | 'info' | 'warn' | 'error';
    };

/**
 * The restore decision for `read`: a valid snapshot of this clock, younger than `maxAgeMs`, with quoting
 * state of an active window — and, given `windowId`, of the window this start begins with.
 */
export function restoreVerdict(read: SnapshotRead, o: { maxAgeMs: number; windowId?: string }): RestoreVerdict {
  const no = (reason: string, level: 'silent' | 'info' | 'warn' | 'error') => ({ restorable: false as const, reason, level });
  if (read.kind === 'missing') return no('no snapshot', 'silent');
  if (read.kind === 'invalid') return no(`not trustworthy: ${read.reason}`, 'error');
  const s = read.snapshot;
  // Something was in flight only if its supervisor did not stop cleanly or left a window to resume.
  const inFlight = s.running || (s.active_window !== null && s.quoting.length > 0);
  if (read.kind === 'other_clock') return no(`a snapshot of another clock: ${read.reason}`, inFlight ? 'warn' : 'info');
  const w = s.active_window;
  if (!w) return no('no window was active in it', 'silent');
  if (s.quoting.length === 0) return no('no quoting state in it', 'silent');
  if (o.windowId !== undefined && w.id !== o.windowId) return no(`it is of window ${w.id}, and this start begins with ${o.windowId}`, 'silent');
  if (read.ageMs > o.maxAgeMs) return no(`older than ${o.maxAgeMs / 1000} s (${(read.ageMs / 1000).toFixed(1)} s)`, 'warn');
  return { restorable: true, windowId: w.id, quoting: s.quoting as unknown as SeriesQuotingState[], queue: s.paper?.queue ?? {}, ageMs: read.ageMs };
}

/**
 * The supervisor as its files tell it: `running` (it holds the root's lock), `stopped` (its last snapshot
 * says it shut down), `stopped_uncleanly` (no one holds the lock but the snapshot says running: killed or
 * crashed; the next start recovers), `absent` (no snapshot: none has run on this root).
 */
export function supervisorState(snapshot: Pick<Snapshot, 'running'> | undefined, lockHeld: boolean): SupervisorState {
  if (lockHeld) return 'running';
  if (!snapshot) return 'absent';
  return snapshot.running ? 'stopped_uncleanly' : 'stopped';
}
