/**
 * `kalshi-alpha preflight [--now ISO] [--series LIST] [--offline] [--json]` (SPEC §6.2): GO / NO-GO for the
 * window active at (or next after) the reference time, with the stable reason strings; exit 0 on GO,
 * 1 on NO-GO. Online it reads the exchange status and schedule (Kalshi REST) and Massive's market status;
 * without a complete environment it never touches the network.
 */
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { SeriesCode } from '../../core/series.ts';
import { activeOrNextWindow } from '../../core/windows.ts';
import { formatEt, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { maintenanceCovering, type MaintenanceSlot } from '../../core/maintenance.ts';
import { connectKalshi } from '../../adapters/kalshi/factory.ts';
import { MassiveRestClient } from '../../adapters/massive/rest.ts';
import { DEFAULT_REST_BASE } from '../../adapters/feeds/from-config.ts';
import { massiveApiKey } from '../../config/env.ts';
import { runPreflight } from '../../app/preflight.ts';
import type { VenueMarketData } from '../../ports/venue.ts';

interface PreflightFlags {
  now?: string;
  series?: SeriesCode[];
  offline?: boolean;
  killSwitchFile?: string;
  json?: boolean;
}

export const registerPreflight: CommandRegistrar = (program, ctx, state) => {
  program
    .command('preflight')
    .description(describeCommand('preflight'))
    .option('--now <iso>', 'reference instant (default: now)')
    .option('--series <list>', 'only these series (default: the window\'s)', (v: string) => v.split(',').map((x) => parseSeriesArg(x).code))
    .option('--offline', 'skip the checks that need the network (as an offline run does)')
    .option('--kill-switch-file <path>', 'kill-switch sentinel (default data/proc/state/kill_switch)')
    .option('--json', 'print the result as JSON')
    .action(async (opt: PreflightFlags) => {
      const c = ctx();
      let nowMs: number;
      try {
        nowMs = opt.now !== undefined ? parseInstant(opt.now) : c.clock.now();
      } catch (e) {
        if (e instanceof TimeParseError) throw new UsageError(e.message);
        throw e;
      }
      let window;
      try {
        window = activeOrNextWindow(nowMs, c.calendar, { cfg: c.config.windows });
      } catch (e) {
        if (e instanceof CalendarRangeError) throw new UsageError(e.message);
        throw e;
      }
      const series = opt.series ?? window.series;
      const env = c.env;
      const source = opt.offline ? 'offline' : 'online';
      let venue: VenueMarketData | undefined;
      let massiveRest: MassiveRestClient | undefined;
      let announced: MaintenanceSlot[] = [];
      if (source === 'online') {
        const key = massiveApiKey(env);
        if (key) massiveRest = new MassiveRestClient({ baseUrl: env.MASSIVE_REST_BASE ?? DEFAULT_REST_BASE, apiKey: key, clock: c.clock, timeoutMs: c.config.feeds.rest_timeout_ms });
        if (env.KALSHI_API_KEY_ID && env.KALSHI_PRIVATE_KEY_PEM_PATH) {
          venue = connectKalshi({ clock: c.clock, env: { ...env, KALSHI_API_KEY_ID: undefined, KALSHI_PRIVATE_KEY_PEM_PATH: undefined }, rateLimits: c.config.kalshi, retry: { maxAttempts: 2 } }).venue;
          announced = await venue.exchangeSchedule().then((s) => s.maintenanceWindows).catch(() => []);
        }
      }
      const killSwitchFile = opt.killSwitchFile ?? c.paths.killSwitch;
      const r = await runPreflight({
        source,
        nowMs,
        series,
        env,
        paths: c.paths,
        config: c.config,
        killSwitchFile,
        clock: c.clock,
        venue,
        massiveRest,
        maintenanceAt: (t) => maintenanceCovering(announced, t),
      });
      if (opt.json) {
        c.json({ go: r.go, reasons: r.reasons, transient_only: r.transientOnly, skipped: r.skipped, notes: r.notes, window: window.id, series, now_et: formatEt(nowMs) });
      } else {
        c.out(`${r.go ? 'GO' : 'NO-GO'} ${window.id} (${series.join(',')}) at ${formatEt(nowMs)}`);
        for (const reason of r.reasons) c.out(`  NO-GO: ${reason}`);
        for (const n of r.notes) c.out(`  note: ${n}`);
        for (const s of r.skipped) c.out(`  skipped: ${s}`);
      }
      if (!r.go) state.exitCode = 1;
    });
};
