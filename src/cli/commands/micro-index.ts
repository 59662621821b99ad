/** `kalshi-alpha micro-index --series S`: one series, one window, end to end (SPEC §2). */
import fs from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { packageRoot } from '../../config/package-root.ts';
import { describeCommand } from '../manifest.ts';
import { parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { SeriesInfo } from '../../core/series.ts';
import { formatEt } from '../../core/time/et.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { LiveBrokerRefused, assertLiveApproved } from '../../adapters/broker/select-broker.ts';
import { microIndexWindow, runMicroIndex, virtualStart } from '../../app/micro-index.ts';
import type { Clock } from '../../ports/clock.ts';
import { addRunOptions, parseRunFlags, runClock, runLogger, type RunFlags } from '../run-flags.ts';

interface MicroIndexFlags extends RunFlags {
  series: SeriesInfo;
  settle: boolean;
}

/** Shipped fixtures (the repo's `fixtures/`) when the working root has none of its own. */
export function defaultFixturesDir(home: string): string {
  const own = path.join(home, 'fixtures');
  if (fs.existsSync(path.join(own, 'kalshi', 'manifest.json'))) return own;
  return path.join(packageRoot(), 'fixtures');
}

export const registerMicroIndex: CommandRegistrar = (program, ctx, state) => {
  const cmd = program
    .command('micro-index')
    .description(describeCommand('micro-index'))
    .addOption(new Option('--series <series>', 'INXU, NASDAQ100U, INX, NASDAQ100 (or KX tickers)').argParser(parseSeriesArg).makeOptionMandatory())
    .option('--no-settle', 'do not wait for the settlement after the target');
  addRunOptions(cmd, { defaultSimSpeed: 10 }).action(async (opt: MicroIndexFlags) => {
    const c = ctx();
    const setup = parseRunFlags(opt, c);
    try {
      // The live gate comes before any network (a refused run connects nowhere).
      if (opt.broker === 'live') assertLiveApproved(c.rawEnv.KALSHI_LIVE_APPROVED);
      const window = microIndexWindow(setup.refNowMs, opt.series.code, c);
      const clock: Clock = runClock(c, setup, virtualStart(setup.refNowMs, window, setup.source === 'sim' ? 20_000 : 1_000));
      const log = runLogger(c, opt, () => clock);
      const paths = setup.source === 'offline' ? { ...c.paths, fixturesDir: defaultFixturesDir(c.home) } : c.paths;
      try {
        const outcome = await runMicroIndex(
          {
            series: opt.series.code,
            source: setup.source,
            window,
            broker: opt.broker,
            seed: setup.seed,
            killSwitchFile: setup.killSwitchFile,
            settle: opt.settle,
            noWsListen: !opt.wsListen,
            startupTimeoutMs: (opt.startupTimeout ?? 60) * 1000,
            ...(setup.source === 'sim' ? { startupClock: c.clock } : {}),
          },
          { paths, config: c.config, calendar: c.calendar, env: c.env, rawEnv: c.rawEnv, clock, log, signal: c.io.signal },
        );
        const r = outcome.result;
        if (opt.json) {
          c.json({ window: outcome.window.id, label: outcome.window.label, source: setup.source, ledger: outcome.ledger, ...r });
        } else {
          c.out(
            `${r.status}: ${r.series} ${outcome.window.id} (${setup.source}) event=${r.eventTicker ?? '-'} markets=${r.markets} ` +
              `quotes=${r.quotesPlaced} cancels=${r.cancels} rejects=${r.rejects} fills=${r.fills} settled=${r.settledMarkets} ` +
              `pnl=$${r.pnlUsd.toFixed(4)} fresh=${r.freshPassed} stale_cycles=${r.staleCycles} — target ${formatEt(outcome.window.targetMs)}; ledger ${outcome.ledger}`,
          );
        }
        if (r.status === 'error' || r.status === 'not_listed' || r.status === 'aborted') state.exitCode = 1;
      } finally {
        if ('dispose' in clock && typeof clock.dispose === 'function') clock.dispose();
      }
    } catch (e) {
      if (e instanceof CalendarRangeError || e instanceof LiveBrokerRefused) throw new UsageError(e.message);
      throw e;
    }
  });
};
