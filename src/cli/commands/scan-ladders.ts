/**
 * `kalshi-alpha scan-ladders --discover --today|--date D [--series S] [--json] [--offline] [--strict]`
 * (SPEC §2, §4): the day's events and markets per window and series — event ticker, market count,
 * strike range, status — and the windows the calendar expects but the exchange has not listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandRegistrar } from '../command.ts';
import { packageRoot } from '../../config/package-root.ts';
import { describeCommand } from '../manifest.ts';
import { parseSeriesArg } from '../command.ts';
import { CheckFailed, UsageError } from '../errors.ts';
import type { CliContext } from '../context.ts';
import { SERIES_CODES, SERIES, type SeriesCode, type SeriesInfo } from '../../core/series.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { windowsForDay } from '../../core/windows.ts';
import { discoverLadders, type DiscoveryReport, type LadderSummary } from '../../core/discovery.ts';
import { addDays, assertDate, etDateOf, etToMs, formatEt, formatUtc, TimeParseError } from '../../core/time/et.ts';
import type { LadderEvent } from '../../core/market.ts';
import type { VenueMarketData } from '../../ports/venue.ts';
import { connectKalshi } from '../../adapters/kalshi/factory.ts';
import { FixtureError, FixtureVenue, readFixtureManifest } from '../../adapters/kalshi/fixture-venue.ts';
import { checkUserDirectory } from '../../config/user-file.ts';

interface ScanOptions {
  discover?: boolean;
  today?: boolean;
  date?: string;
  series?: SeriesInfo;
  json?: boolean;
  offline?: boolean;
  fixtures?: string;
  strict?: boolean;
}

/** The fixtures shipped with the code, used when the working root has none of its own. */
const BUNDLED_FIXTURES = path.join(packageRoot(), 'fixtures', 'kalshi');

function fixturesDir(c: CliContext, opt: ScanOptions): string {
  if (opt.fixtures) {
    const dir = path.resolve(c.home, opt.fixtures);
    checkUserDirectory(dir, `--fixtures ${opt.fixtures}`);
    return dir;
  }
  const local = path.join(c.paths.fixturesDir, 'kalshi');
  return fs.existsSync(path.join(local, 'manifest.json')) ? local : BUNDLED_FIXTURES;
}

const fmtStrike = (x: number | undefined) => (x === undefined ? '' : String(Number(x.toFixed(4))));

function ladderJson(l: LadderSummary) {
  return {
    event_ticker: l.eventTicker,
    market_count: l.marketCount,
    strike_min: l.strikeMin ?? null,
    strike_max: l.strikeMax ?? null,
    status: l.status,
    statuses: l.statuses,
    close_et: formatEt(l.closeTimeMs),
    close_utc: formatUtc(l.closeTimeMs),
  };
}

export const registerScanLadders: CommandRegistrar = (program, ctx, state) => {
  program
    .command('scan-ladders')
    .description(describeCommand('scan-ladders'))
    .option('--discover', 'discover ladders (the default and only mode)')
    .option('--today', "today's ET date (from the clock; with --offline, the recorded fixture day if today has none)")
    .option('--date <YYYY-MM-DD>', 'an ET trading date')
    .option('--series <S>', 'one series (INXU, NASDAQ100U, INX, NASDAQ100 or KX tickers)', parseSeriesArg)
    .option('--offline', 'read recorded fixtures (fixtures/kalshi) instead of the exchange')
    .option('--fixtures <dir>', 'fixture directory for --offline (default fixtures/kalshi)')
    .option('--strict', 'exit 1 when any expected window is not listed')
    .option('--json', 'machine-readable output')
    .action(async (opt: ScanOptions) => {
      const c = ctx();
      if (opt.today && opt.date) throw new UsageError('give either --today or --date, not both');
      if (!opt.today && !opt.date) throw new UsageError('which day? pass --today or --date YYYY-MM-DD');
      let date: string;
      try {
        date = opt.date ? assertDate(opt.date) : etDateOf(c.clock.now());
      } catch (e) {
        if (e instanceof TimeParseError) throw new UsageError(e.message);
        throw e;
      }
      let venue: VenueMarketData;
      let source: Record<string, string>;
      if (opt.offline) {
        const dir = fixturesDir(c, opt);
        try {
          const manifest = readFixtureManifest(dir);
          let note: string | undefined;
          if (opt.today && !manifest.dates.includes(date)) {
            note = `no recorded fixtures for today (${date}); using the recorded day ${manifest.default_date}`;
            date = manifest.default_date;
          }
          if (!manifest.dates.includes(date)) throw new UsageError(`no offline fixtures for ${date} (recorded days: ${manifest.dates.join(', ')})`);
          venue = new FixtureVenue(dir, date, () => c.clock.now());
          source = { kind: 'offline', dir, ...(note ? { note } : {}) };
        } catch (e) {
          if (e instanceof FixtureError) throw new UsageError(e.message);
          throw e;
        }
      } else {
        const conn = connectKalshi({ clock: c.clock, env: c.env, rateLimits: c.config.kalshi });
        venue = conn.venue;
        source = { kind: 'exchange', rest_base: conn.endpoints.restBase };
      }

      let windows;
      let session;
      try {
        session = c.calendar.session(date);
        windows = windowsForDay(date, c.calendar, c.config.windows);
      } catch (e) {
        if (e instanceof CalendarRangeError) throw new UsageError(e.message);
        throw e;
      }
      const only: SeriesCode[] = opt.series ? [opt.series.code] : SERIES_CODES;
      windows = windows.map((w) => ({ ...w, series: w.series.filter((s) => only.includes(s)) })).filter((w) => w.series.length > 0);

      // Events closing anywhere on the ET date (so unexpected listings show up as unmatched too).
      const dayStart = etToMs(date, '00:00');
      const dayEnd = etToMs(addDays(date, 1), '00:00') - 1;
      const events: LadderEvent[] = [];
      try {
        for (const s of only) events.push(...(await venue.listEvents({ series: s, minCloseMs: dayStart, maxCloseMs: dayEnd })));
      } catch (e) {
        if (e instanceof FixtureError) throw new UsageError(e.message);
        throw new CheckFailed(`cannot list events: ${(e as Error).message}`);
      }
      const report = discoverLadders(windows, events);
      print(c, opt, date, session, source, report);
      if (opt.strict && report.missing.length > 0) state.exitCode = 1;
    });
};

function print(
  c: CliContext,
  opt: ScanOptions,
  date: string,
  session: { status: string; closeEt: string | null; reason?: string },
  source: Record<string, string>,
  report: DiscoveryReport,
): void {
  if (opt.json) {
    c.json({
      date,
      session: { status: session.status, close_et: session.closeEt, ...(session.reason ? { reason: session.reason } : {}) },
      source,
      windows: report.windows.map((w) => ({
        window_id: w.window.id,
        label: w.window.label,
        target_et: formatEt(w.window.targetMs),
        target_utc: formatUtc(w.window.targetMs),
        ladders: w.ladders.map((l) => (l.ladder ? { series: l.series, listed: true, ...ladderJson(l.ladder) } : { series: l.series, listed: false })),
      })),
      missing: report.missing.map((m) => ({ window_id: m.windowId, label: m.label, series: m.series, series_ticker: SERIES[m.series].ticker, expected_close_et: formatEt(m.expectedCloseMs) })),
      unmatched: report.unmatched.map((l) => ({ series: l.series, ...ladderJson(l) })),
    });
    return;
  }
  const lines: string[] = [];
  lines.push(`scan-ladders ${date}: ${session.status}${session.closeEt ? `, close ${session.closeEt} ET` : ''}${session.reason ? ` (${session.reason})` : ''}`);
  lines.push(source.kind === 'offline' ? `source: offline fixtures ${source.dir}` : `source: ${source.rest_base}`);
  if (source.note) lines.push(`note: ${source.note}`);
  if (report.windows.length === 0) {
    lines.push('no trading windows on this date');
  } else {
    lines.push(`${'window'.padEnd(12)} ${'series'.padEnd(11)} ${'event'.padEnd(28)} ${'markets'.padStart(7)}  ${'strikes'.padEnd(22)} status`);
    for (const w of report.windows) {
      for (const l of w.ladders) {
        const s = l.ladder;
        lines.push(
          s
            ? `${w.window.label.padEnd(12)} ${l.series.padEnd(11)} ${s.eventTicker.padEnd(28)} ${String(s.marketCount).padStart(7)}  ${`${fmtStrike(s.strikeMin)}–${fmtStrike(s.strikeMax)}`.padEnd(22)} ${s.status}`
            : `${w.window.label.padEnd(12)} ${l.series.padEnd(11)} ${'(not listed)'.padEnd(28)} ${'-'.padStart(7)}  ${''.padEnd(22)} missing`,
        );
      }
    }
  }
  lines.push(report.missing.length ? `missing: ${report.missing.length}` : 'missing: none');
  for (const m of report.missing) lines.push(`  ${m.label} ${m.series} (${SERIES[m.series].ticker}) expected close ${formatEt(m.expectedCloseMs)}`);
  if (report.unmatched.length) {
    lines.push(`listed but matching no window: ${report.unmatched.length}`);
    for (const u of report.unmatched) lines.push(`  ${u.eventTicker} close ${formatEt(u.closeTimeMs)} (${u.marketCount} markets)`);
  }
  c.out(lines.join('\n'));
}
