/** `kalshi-alpha micro-index --series S`: one series, one window, end to end (SPEC §2, issue 5). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { parseNonNegativeNumber, parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { SeriesInfo } from '../../core/series.ts';
import { parseInstant, formatEt, TimeParseError } from '../../core/time/et.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { LiveBrokerRefused } from '../../adapters/broker/select-broker.ts';
import { runMicroIndex, type DataSource } from '../../app/micro-index.ts';
import { lineLog } from '../../app/line-log.ts';
import type { Clock } from '../../ports/clock.ts';

interface MicroIndexFlags {
  series: SeriesInfo;
  now?: string;
  sim?: boolean;
  offline?: boolean;
  speed?: number;
  broker: 'dry' | 'live';
  seed: string;
  killSwitchFile?: string;
  settle: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Shipped fixtures (the repo's `fixtures/`) when the working root has none of its own. */
export function defaultFixturesDir(home: string): string {
  const own = path.join(home, 'fixtures');
  if (fs.existsSync(path.join(own, 'kalshi', 'manifest.json'))) return own;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');
}

export const registerMicroIndex: CommandRegistrar = (program, ctx, state) => {
  program
    .command('micro-index')
    .description('run one series through one window end to end: discover → price → quote → paper fills → cancel at freeze → settle')
    .addOption(new Option('--series <series>', 'INXU, NASDAQ100U, INX, NASDAQ100 (or KX tickers)').argParser(parseSeriesArg).makeOptionMandatory())
    .option('--now <iso>', 'reference instant: runs the window active then, or the next one (default: now)')
    .option('--sim', 'run against the embedded simulator on loopback (no credentials, no internet)')
    .option('--offline', 'run from recorded fixture files (no network; WS gating bypassed)')
    .option('--speed <n>', 'virtual-clock speed with --sim/--offline (default 10 for --sim; 0 = as fast as possible, offline only)', parseNonNegativeNumber)
    .addOption(new Option('--broker <mode>', 'dry (paper) or live; live also needs KALSHI_LIVE_APPROVED=yes').choices(['dry', 'live']).default('dry'))
    .option('--seed <n>', 'simulator seed', '20261120')
    .option('--kill-switch-file <path>', 'kill-switch sentinel (default data/proc/state/kill_switch)')
    .option('--no-settle', 'do not wait for the settlement after the target')
    .option('--json', 'print the window result as JSON on stdout (log lines go to stderr)')
    .option('--quiet', 'only warnings and errors in the log')
    .action(async (opt: MicroIndexFlags) => {
      const c = ctx();
      if (opt.sim && opt.offline) throw new UsageError('give either --sim or --offline, not both');
      const source: DataSource = opt.sim ? 'sim' : opt.offline ? 'offline' : 'online';
      const speed = opt.speed ?? (source === 'sim' ? 10 : source === 'offline' ? 0 : 1);
      if (source === 'sim' && speed === 0) throw new UsageError('--speed 0 needs --offline (the simulator runs on real sockets, so its clock must flow)');
      if (source === 'online' && opt.speed !== undefined) throw new UsageError('--speed needs --sim or --offline');
      const seed = Number(opt.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${opt.seed}"`);
      let nowMs: number | undefined;
      try {
        nowMs = opt.now !== undefined ? parseInstant(opt.now) : undefined;
      } catch (e) {
        if (e instanceof TimeParseError) throw new UsageError(e.message);
        throw e;
      }
      const killSwitchFile = opt.killSwitchFile ? path.resolve(c.home, opt.killSwitchFile) : c.paths.killSwitch;
      const paths = source === 'offline' ? { ...c.paths, fixturesDir: defaultFixturesDir(c.home) } : c.paths;
      // The run's clock is created inside runMicroIndex (virtual for sim/offline); log with whichever is live.
      let runClock: Clock = c.clock;
      const write = opt.json ? (s: string) => c.io.err(s) : (s: string) => c.io.out(s);
      const log = lineLog(() => runClock, write, { quiet: opt.quiet });
      try {
        const outcome = await runMicroIndex(
          { series: opt.series.code, source, nowMs, speed, broker: opt.broker, seed, killSwitchFile, settle: opt.settle },
          {
            paths,
            config: c.config,
            calendar: c.calendar,
            env: c.env,
            rawEnv: c.rawEnv,
            clock: c.clock,
            log,
            signal: c.io.signal,
            onClock: (clock) => (runClock = clock),
          },
        );
        const r = outcome.result;
        if (opt.json) {
          c.json({ window: outcome.window.id, label: outcome.window.label, source, ledger: outcome.ledger, ...r });
        } else {
          c.out(
            `${r.status}: ${r.series} ${outcome.window.id} (${source}) event=${r.eventTicker ?? '-'} markets=${r.markets} ` +
              `quotes=${r.quotesPlaced} cancels=${r.cancels} rejects=${r.rejects} fills=${r.fills} settled=${r.settledMarkets} ` +
              `pnl=$${r.pnlUsd.toFixed(4)} fresh=${r.freshPassed} stale_cycles=${r.staleCycles} — target ${formatEt(outcome.window.targetMs)}; ledger ${outcome.ledger}`,
          );
        }
        if (r.status === 'error' || r.status === 'not_listed') state.exitCode = 1;
      } catch (e) {
        if (e instanceof TimeParseError || e instanceof CalendarRangeError || e instanceof LiveBrokerRefused) throw new UsageError(e.message);
        throw e;
      }
    });
};
