/** `kalshi-alpha supervisor-index`: the trading day (SPEC §2, §6). */
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import type { CliContext } from '../context.ts';
import { parseNonNegativeNumber, parsePositiveInt, parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import { SERIES_CODES, type SeriesCode } from '../../core/series.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { LiveBrokerRefused, assertLiveApproved } from '../../adapters/broker/select-broker.ts';
import { onClock, virtualStart } from '../../app/micro-index.ts';
import { SupervisorLocked } from '../../app/supervisor/lock.ts';
import { CheckFailed } from '../errors.ts';
import { plannedWindows, Supervisor, summarise, type SupervisorOutcome } from '../../app/supervisor.ts';
import type { Clock } from '../../ports/clock.ts';
import { addRunOptions, parseRunFlags, runClock, runLogger, type RunFlags } from '../run-flags.ts';
import { defaultFixturesDir } from './micro-index.ts';
import path from 'node:path';
import { SteppedClock } from '../../adapters/clock/stepped-clock.ts';
import { recordDir } from '../../adapters/recording/writer.ts';

interface SupervisorFlags extends RunFlags {
  loop?: boolean;
  sleepSeconds: number;
  days?: number;
  only?: string[];
  series?: SeriesCode[];
  wsSoftMs?: number;
  wsStrictMs?: number;
  preflightRetryInterval: number;
  settle: boolean;
  maxRestoreAge: number;
  record?: string;
}

const LABEL = /^(hourly-(0\d|1\d|2[0-3])[0-5]\d|close-(1[0-9])[0-5]\d)$/;

function parseLabels(v: string): string[] {
  const labels = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const l of labels) if (!LABEL.test(l)) throw new InvalidArgumentError(`"${l}" is not a window label (e.g. hourly-1000, close-1600)`);
  if (labels.length === 0) throw new InvalidArgumentError('expected window labels, e.g. hourly-1500,close-1600');
  return labels;
}

function parseSeriesList(v: string): SeriesCode[] {
  return v.split(',').map((x) => parseSeriesArg(x).code);
}

export const registerSupervisorIndex: CommandRegistrar = (program, ctx, state) => {
  const cmd = program
    .command('supervisor-index')
    .description(describeCommand('supervisor-index'))
    .option('--loop', 'run every window of every trading day in order (default: the active or next window, then exit)')
    .option('--sleep-seconds <s>', 'longest sleep between checks while waiting', parseNonNegativeNumber, 30)
    .option('--days <n>', 'with --loop: stop after this many trading days', parsePositiveInt)
    .option('--only <labels>', 'only these windows, e.g. hourly-1500,close-1600', parseLabels)
    .option('--series <list>', `only these series of each window (${SERIES_CODES.join(',')})`, parseSeriesList)
    .option('--ws-soft-ms <ms>', 'freshness limit before strict_et (default freshness.soft_ms, 1500)', parsePositiveInt)
    .option('--ws-strict-ms <ms>', 'freshness limit from strict_et (default freshness.strict_ms, 800)', parsePositiveInt)
    .option('--preflight-retry-interval <s>', 'retry a transient NO-GO this often inside the window', parsePositiveInt, 60)
    .option('--max-restore-age <s>', 'resume from hot_restart.json when it is at most this old (seconds)', parseNonNegativeNumber, 5)
    .option('--no-settle', 'do not wait for results after each target')
    .option('--record <dir>', 'write what the adapters receive (frames, REST bodies, receipt times) to DIR/<date>.rec.jsonl.gz, for `replay --recording`');
  addRunOptions(cmd, { defaultSimSpeed: 20 }).action(async (opt: SupervisorFlags) => {
    const c = ctx();
    const setup = parseRunFlags(opt, c);
    try {
      if (opt.broker === 'live') assertLiveApproved(c.rawEnv.KALSHI_LIVE_APPROVED);
      if (opt.days !== undefined && !opt.loop) throw new UsageError('--days needs --loop');
      const config = {
        ...c.config,
        freshness: { soft_ms: opt.wsSoftMs ?? c.config.freshness.soft_ms, strict_ms: opt.wsStrictMs ?? c.config.freshness.strict_ms },
      };
      if (config.freshness.strict_ms > config.freshness.soft_ms) throw new UsageError('--ws-strict-ms must not exceed --ws-soft-ms');
      const base = { calendar: c.calendar, config };
      const first = plannedWindows(setup.refNowMs, base, { loop: Boolean(opt.loop), days: opt.days, only: opt.only }).next();
      if (first.done) throw new UsageError('no window to run (check --only and --now)');
      const lead = setup.source === 'sim' ? 20_000 : setup.source === 'offline' ? 1_000 : 120_000;
      if (opt.record !== undefined && setup.source === 'offline') throw new UsageError('--record: an offline run receives nothing to record (use --sim or the real services)');
      // A recorded simulator session steps its clock the way a replay does, so that it replays exactly.
      const clock: Clock =
        opt.record !== undefined && setup.source === 'sim'
          ? new SteppedClock(virtualStart(setup.refNowMs, first.value, lead), { speed: setup.speed, maxStepVirtualMs: 200 })
          : runClock(c, setup, virtualStart(setup.refNowMs, first.value, lead));
      const record =
        opt.record === undefined
          ? undefined
          : recordDir(path.resolve(c.home, opt.record), clock, () => ({
              config,
              run: {
                ref_now_ms: setup.refNowMs,
                loop: Boolean(opt.loop),
                ...(opt.only ? { only: opt.only } : {}),
                ...(opt.series ? { series: opt.series } : {}),
                settle: opt.settle,
                open_lead_ms: lead,
                sleep_seconds: opt.sleepSeconds,
                preflight_retry_ms: opt.preflightRetryInterval * 1000,
                clock: clock instanceof SteppedClock ? 'stepped' : setup.source === 'online' ? 'system' : 'virtual',
              },
            }));
      const log = runLogger(c, opt, () => clock);
      const paths = setup.source === 'offline' ? { ...c.paths, fixturesDir: defaultFixturesDir(c.home) } : c.paths;
      let outcome: SupervisorOutcome;
      try {
        const sup = new Supervisor(
          {
            source: setup.source,
            broker: opt.broker,
            seed: setup.seed,
            refNowMs: setup.refNowMs,
            loop: Boolean(opt.loop),
            sleepSeconds: opt.sleepSeconds,
            days: opt.days,
            only: opt.only,
            series: opt.series,
            killSwitchFile: setup.killSwitchFile,
            preflightRetryMs: opt.preflightRetryInterval * 1000,
            settle: opt.settle,
            noWsListen: !opt.wsListen,
            startupTimeoutMs: (opt.startupTimeout ?? 60) * 1000,
            openLeadMs: lead,
            maxRestoreAgeMs: opt.maxRestoreAge * 1000,
            // (A simulated clock stands still through start-up: its deadlines run on real time.)
            ...(setup.source === 'sim' ? { startupClock: c.clock } : {}),
            ...(record ? { composition: { adapters: { record } } } : {}),
          },
          { paths, config, calendar: c.calendar, env: c.env, rawEnv: c.rawEnv, clock, log, signal: c.io.signal },
        );
        outcome = await onClock(clock, sup.run());
      } finally {
        if ('dispose' in clock && typeof clock.dispose === 'function') clock.dispose();
      }
      report(outcome, opt, c, paths.ledger, opt.record !== undefined ? path.resolve(c.home, opt.record) : undefined);
      if (outcome.stoppedBy) {
        c.io.err(`kalshi-alpha: stopped (${outcome.stoppedBy}): ${outcome.cancelledOnStop} resting orders cancelled, snapshot written\n`);
        return;
      }
      if (!opt.loop && outcome.windows.some((w) => w.state === 'no_go' || w.state === 'error')) state.exitCode = 1;
    } catch (e) {
      if (e instanceof CalendarRangeError || e instanceof LiveBrokerRefused) throw new UsageError(e.message);
      if (e instanceof SupervisorLocked) throw new CheckFailed(e.message);
      throw e;
    }
  });
};

function report(outcome: SupervisorOutcome, opt: SupervisorFlags, c: CliContext, ledger: string, recordings?: string): void {
  const rows = outcome.windows.map((w) => {
    const s = summarise(w.results);
    return { window: w.window.id, state: w.state, reasons: w.reasons, series: w.results.map((r) => r.series), quotes: s.quotes, fills: s.fills, settled_markets: s.settled, pnl_usd: s.pnlUsd, outstanding_after_freeze: s.outstanding };
  });
  const all = summarise(outcome.windows.flatMap((w) => w.results));
  const flips = outcome.transitions.filter((t) => t.from !== 'stand_down' && t.to !== 'stand_down').length;
  const standDowns = outcome.transitions.filter((t) => t.to === 'stand_down' && t.reason !== 'data_ended').length;
  const files = { ledger, monitors: c.paths.monitorsDir, report: c.paths.reportMd, snapshot: c.paths.hotRestart, ...(recordings ? { recordings } : {}) };
  if (opt.json) {
    c.json({ windows: rows, total: { quotes: all.quotes, fills: all.fills, settled_markets: all.settled, pnl_usd: all.pnlUsd }, feed: { failovers: flips, stand_downs: standDowns }, files, stopped_by: outcome.stoppedBy ?? null });
    return;
  }
  for (const r of rows) {
    c.out(`${r.window}: ${r.state}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''} quotes=${r.quotes} fills=${r.fills} settled=${r.settled_markets} pnl=$${r.pnl_usd.toFixed(4)}`);
  }
  c.out(
    `summary: ${rows.length} window(s), quotes=${all.quotes} fills=${all.fills} settled=${all.settled} pnl=$${all.pnlUsd.toFixed(4)}; ` +
      `feed failovers=${flips} stand-downs=${standDowns}`,
  );
  c.out(`files: ledger ${files.ledger}; monitors ${files.monitors}; incidents ${files.report}; snapshot ${files.snapshot}${recordings ? `; recordings ${recordings}` : ''}`);
}
