/**
 * `replay` (SPEC §9): one trading day through the real Supervisor and TradingSession — every window, every
 * series, preflight, freshness gate, the engine, the quoting state, the dry broker and its paper exchange,
 * the ledger records — on a discrete-event clock, in one process, as fast as it can go.
 *
 * Only the day's adapters differ (a generated day over the simulator's exchange, or a recording fed into
 * the real parsers: `day`), and what a replay must not touch is switched off: no orders.json, no
 * hot-restart snapshot, no REPORT.md, no monitors, no kill-switch file (no operator, no file I/O before
 * each order), its own ledger (buffered; one durable flush at the end). Deterministic: no wall clock, no
 * unseeded randomness; the same inputs give the same ledger bytes.
 */
import type { Logger } from '../../ports/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import { silentLogger } from '../../ports/logger.ts';
import type { TradingCalendar } from '../../core/calendar/calendar.ts';
import type { SeriesCode } from '../../core/series.ts';
import type { LedgerRecord } from '../../core/ledger/record.ts';
import { computeScoreboard, type Scoreboard } from '../../core/scoreboard.ts';
import { etToMs } from '../../core/time/et.ts';
import type { IndexOpsConfig } from '../../config/index-ops.ts';
import type { Paths } from '../../config/paths.ts';
import { EventClock } from '../../adapters/clock/event-clock.ts';
import { plannedWindows, Supervisor, type SupervisorOptions, type SupervisorOutcome } from '../supervisor.ts';
import type { ReplayDayFactory } from '../market-adapters.ts';
import { BufferedLedgerSink } from './ledger-sink.ts';

/** A path that can never exist (`/dev/null` is not a directory): preflight's kill-switch check stays false. */
export const NO_KILL_SWITCH = '/dev/null/kill_switch';
/** Connections open this long before the day's first window (feeds fresh well before it starts). */
export const REPLAY_OPEN_LEAD_MS = 60_000;

export class ReplayInputError extends Error {
  override name = 'ReplayInputError';
}

export interface ReplayRunOptions {
  dateEt: string;
  /** The simulator seed (generated days) or the recording's; recorded in the result. */
  seed: number;
  day: ReplayDayFactory;
  config: IndexOpsConfig;
  calendar: TradingCalendar;
  /** Calibration, events and fee files are read from here (as a live run would). */
  paths: Paths;
  /** Only these series of each window (default all). */
  series?: readonly SeriesCode[];
  /** Only these window labels (default all). */
  only?: readonly string[];
  /** Where the ledger is written (one durable flush at the end); none = in memory only. */
  ledgerFile?: string;
  /** The run's logger, or a factory given the replay's clock (so its lines carry the replay's virtual time). */
  log?: Logger | ((clock: Clock) => Logger);
  /** Where the clock starts (default: the first window's start − REPLAY_OPEN_LEAD_MS). */
  startMs?: number;
  /** The supervisor's timeline as a recorded run had it (reference instant, loop, lead, sleeps…). */
  supervisor?: Partial<Pick<SupervisorOptions, 'refNowMs' | 'loop' | 'days' | 'settle' | 'openLeadMs' | 'sleepSeconds' | 'preflightRetryMs'>>;
}

export interface ReplayStats {
  /** Real milliseconds of the run. */
  wallMs: number;
  /** Timers the discrete-event clock fired. */
  timers: number;
  /** Engine cycles (one refresh of one series). */
  cycles: number;
  ledgerRecords: number;
  ledgerBytes: number;
}

export interface ReplayRunResult {
  dateEt: string;
  seed: number;
  outcome: SupervisorOutcome;
  records: LedgerRecord[];
  scoreboard: Scoreboard;
  ledgerFile: string | undefined;
  stats: ReplayStats;
}

/** The windows a replay of `dateEt` runs; throws ReplayInputError for a day the calendar closes. */
export function replayWindows(dateEt: string, o: Pick<ReplayRunOptions, 'calendar' | 'config' | 'only'>) {
  const session = o.calendar.session(dateEt); // CalendarRangeError outside the table's years
  if (session.status === 'closed') throw new ReplayInputError(`${dateEt} is not a trading day${session.reason ? ` (${session.reason})` : ''}`);
  const ref = etToMs(dateEt, '00:00');
  const windows = [...plannedWindows(ref, o, { loop: true, days: 1, only: o.only })].filter((w) => w.dateEt === dateEt);
  if (windows.length === 0) throw new ReplayInputError(`no window to replay on ${dateEt}${o.only ? ` (--only ${o.only.join(',')})` : ''}`);
  return windows;
}

export async function runReplayDay(o: ReplayRunOptions): Promise<ReplayRunResult> {
  const startMs = o.startMs ?? replayWindows(o.dateEt, o)[0]!.startMs - REPLAY_OPEN_LEAD_MS;
  const clock = new EventClock(startMs);
  const log = typeof o.log === 'function' ? o.log(clock) : (o.log ?? silentLogger);
  const ledger = new BufferedLedgerSink({ file: o.ledgerFile });
  const sup = new Supervisor(
    {
      source: 'replay',
      broker: 'dry',
      seed: o.seed,
      refNowMs: etToMs(o.dateEt, '00:00'),
      loop: true,
      days: 1,
      only: o.only,
      series: o.series,
      sleepSeconds: 60,
      killSwitchFile: NO_KILL_SWITCH,
      preflightRetryMs: o.config.preflight.retry_interval_s * 1000,
      settle: true,
      noWsListen: false,
      startupTimeoutMs: 60_000,
      openLeadMs: REPLAY_OPEN_LEAD_MS,
      ...o.supervisor,
      snapshot: false,
      composition: {
        adapters: { replay: o.day },
        session: { ordersFile: false, report: false, ledgerSink: ledger, killSwitchFile: null },
        monitors: false,
      },
    },
    { paths: o.paths, config: o.config, calendar: o.calendar, env: {}, rawEnv: {}, clock, log },
  );
  const t0 = performance.now();
  let outcome: SupervisorOutcome;
  try {
    outcome = await clock.drive(sup.run());
    ledger.close(); // (the session closed it already; idempotent)
  } catch (e) {
    ledger.discard();
    throw e;
  }
  const wallMs = performance.now() - t0;
  const records = ledger.records;
  const scoreboard = computeScoreboard(records, { freezeOffsetMs: o.config.windows.freeze_offset_seconds * 1000 });
  const cycles = outcome.windows.reduce((n, w) => n + w.results.reduce((m, r) => m + r.cycles, 0), 0);
  return {
    dateEt: o.dateEt,
    seed: o.seed,
    outcome,
    records,
    scoreboard,
    ledgerFile: o.ledgerFile,
    stats: { wallMs, timers: clock.fired, cycles, ledgerRecords: ledger.count, ledgerBytes: ledger.bytes },
  };
}
