/** `kalshi-alpha windows`: the resolved windows of SPEC §4, for an instant or a date. */
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { SeriesInfo } from '../../core/series.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { activeOrNextWindow, windowPhase, windowsForDay, type TradingWindow } from '../../core/windows.ts';
import { assertDate, formatEt, formatUtc, parseInstant, TimeParseError } from '../../core/time/et.ts';

export interface SchedulerWindowJson {
  id: string;
  label: string;
  target_type: string;
  date: string;
  series: string[];
  start_et: string;
  strict_et: string;
  freeze_et: string;
  target_et: string;
  start_utc: string;
  strict_utc: string;
  freeze_utc: string;
  target_utc: string;
  phase?: string;
}

export function schedulerWindowJson(w: TradingWindow, nowMs?: number): SchedulerWindowJson {
  return {
    id: w.id,
    label: w.label,
    target_type: w.targetType,
    date: w.dateEt,
    series: w.series,
    start_et: formatEt(w.startMs),
    strict_et: formatEt(w.strictMs),
    freeze_et: formatEt(w.freezeMs),
    target_et: formatEt(w.targetMs),
    start_utc: formatUtc(w.startMs),
    strict_utc: formatUtc(w.strictMs),
    freeze_utc: formatUtc(w.freezeMs),
    target_utc: formatUtc(w.targetMs),
    ...(nowMs !== undefined ? { phase: windowPhase(w, nowMs) } : {}),
  };
}

function windowLine(w: TradingWindow): string {
  const hm = (ms: number) => formatEt(ms).slice(11, 19);
  return (
    `${w.label.padEnd(12)} start ${hm(w.startMs)}  strict ${hm(w.strictMs)}  freeze ${hm(w.freezeMs)}  ` +
    `target ${formatEt(w.targetMs)} (${formatUtc(w.targetMs)})  series ${w.series.join(',')}`
  );
}

interface WindowsOptions {
  series?: SeriesInfo;
  now?: string;
  date?: string;
  json?: boolean;
}

export const registerWindows: CommandRegistrar = (program, ctx) => {
  program
    .command('windows')
    .description(describeCommand('windows'))
    .addOption(new Option('--series <series>', 'INXU, NASDAQ100U, INX, NASDAQ100 (or KX tickers)').argParser(parseSeriesArg))
    .option('--now <iso>', 'reference instant (ISO 8601; a bare local time is New York time); default: now')
    .option('--date <yyyy-mm-dd>', "print every window of this ET date instead")
    .option('--json', 'machine-readable output: {"scheduler_window": …} or, with --date, a list')
    .addHelpText(
      'after',
      '\nExamples:\n  kalshi-alpha windows --series INXU --now 2026-11-20T10:20:00-05:00\n  kalshi-alpha windows --date 2026-11-27 --json',
    )
    .action((opt: WindowsOptions) => {
      const c = ctx();
      const cfg = c.config.windows;
      const calendar = c.calendar;
      if (opt.date !== undefined && opt.now !== undefined) throw new UsageError('give either --now or --date, not both');
      try {
        if (opt.date !== undefined) {
          const date = assertDate(opt.date);
          const session = calendar.session(date);
          const windows = windowsForDay(date, calendar, cfg).filter((w) => !opt.series || w.series.includes(opt.series.code));
          if (opt.json) {
            c.json(windows.map((w) => schedulerWindowJson(w)));
            return;
          }
          const head =
            session.status === 'closed'
              ? `${date}: closed (${session.reason})`
              : `${date}: ${session.status === 'early_close' ? `early close ${session.closeEt} ET (${session.reason})` : 'regular session'}`;
          c.out([head, ...windows.map(windowLine)].join('\n'));
          return;
        }
        const nowMs = opt.now !== undefined ? parseInstant(opt.now) : c.clock.now();
        const w = activeOrNextWindow(nowMs, calendar, { series: opt.series?.code, cfg });
        const json = schedulerWindowJson(w, nowMs);
        if (opt.json) {
          c.json({ scheduler_window: json });
          return;
        }
        const state = json.phase === 'pending' ? 'next' : `active (${json.phase})`;
        c.out(`${state}: ${windowLine(w)}`);
      } catch (e) {
        if (e instanceof TimeParseError || e instanceof CalendarRangeError) throw new UsageError(e.message);
        throw e;
      }
    });
};
