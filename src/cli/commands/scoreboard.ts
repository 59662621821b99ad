/** `kalshi-alpha scoreboard`: paper results per day / series / window from the ledger (SPEC §5.6). */
import path from 'node:path';
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseSeriesArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { SeriesInfo } from '../../core/series.ts';
import { assertDate, TimeParseError } from '../../core/time/et.ts';
import { computeScoreboard, type ScoreRow } from '../../core/scoreboard.ts';
import { describeSkipped, readLedger } from '../../adapters/ledger/ledger-reader.ts';
import { checkUserFile } from '../../config/user-file.ts';

interface ScoreboardOptions {
  date?: string;
  from?: string;
  to?: string;
  series?: SeriesInfo;
  ledger?: string;
  archives: boolean;
  json?: boolean;
}

function date(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return assertDate(value);
  } catch (e) {
    if (e instanceof TimeParseError) throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

const num = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));
const money = (x: number) => (x < 0 ? '-' : '') + '$' + Math.abs(x).toFixed(4);

const life = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(1) + 's');

/** Aligned lines of a table (first `leftCols` columns left-aligned), and a rule as wide as each column. */
function layout(table: string[][], leftCols: number): { lines: string[]; rule: string } {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return {
    lines: table.map((row) => row.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()),
    rule: widths.map((w) => '-'.repeat(w)).join('  '),
  };
}

export function scoreboardTable(rows: ScoreRow[], total: ScoreRow): string {
  const header = ['day', 'series', 'window', 'quotes', 'fills', 'fill_rate', 'contracts', 'fees', 'pnl', 'markets', 'scored', 'brier', 'log_loss', 'quote_life'];
  const line = (r: ScoreRow) => [
    r.day,
    r.series,
    r.window,
    String(r.quotes),
    String(r.fills),
    r.fill_rate === null ? '-' : (r.fill_rate * 100).toFixed(1) + '%',
    String(r.filled_contracts),
    money(r.fees),
    money(r.realized_pnl),
    String(r.quoted_markets),
    String(r.calibration.n),
    num(r.calibration.brier, 4),
    num(r.calibration.log_loss, 4),
    life(r.median_quote_life_ms),
  ];
  const { lines, rule } = layout([header, ...rows.map(line), line(total)], 3);
  return [lines[0], rule, ...lines.slice(1, -1), rule, lines[lines.length - 1]].join('\n');
}

const pct = (x: number | null) => (x === null ? '-' : (x * 100).toFixed(1) + '%');

/**
 * Churn and queue position per row (issue 11): quote life, the quoter's own cancels re-quoted on the same
 * market and side within 3 s (a queue position given away), the share kept, and the mean estimated fill
 * probability of the quotes against the realised fill rate.
 */
export function queueTable(rows: ScoreRow[], total: ScoreRow): string {
  const header = ['day', 'series', 'window', 'quotes', 'quote_life', 'refresh_cancels', 'requoted<3s', 'queue_kept', 'not_desired', 'nd_requoted<3s', 'fill_prob', 'fill_rate'];
  const line = (r: ScoreRow) => [
    r.day,
    r.series,
    r.window,
    String(r.quotes),
    life(r.median_quote_life_ms),
    String(r.refresh_cancels),
    String(r.requoted_within_3s),
    pct(r.queue_kept_share),
    String(r.not_desired_cancels),
    String(r.not_desired_requoted_3s),
    pct(r.mean_fill_prob),
    pct(r.fill_rate),
  ];
  const { lines, rule } = layout([header, ...rows.map(line), line(total)], 3);
  return ['quote life and queue position (refresh cancels re-quoted on the same market and side within 3 s gave their place away):', lines[0], rule, ...lines.slice(1, -1), rule, lines[lines.length - 1]].join('\n');
}

/** The reliability table of a row: one line per probability bin. */
export function reliabilityTable(r: ScoreRow): string {
  const header = ['p_bin', 'count', 'mean_forecast', 'observed_freq'];
  const lines = r.calibration.reliability.map((b) => [
    `${b.lo.toFixed(1)}-${b.hi.toFixed(1)}`,
    String(b.count),
    num(b.mean_forecast, 4),
    num(b.observed_freq, 4),
  ]);
  return [`reliability (${r.calibration.n} market forecast(s), last quote before the freeze):`, ...layout([header, ...lines], 1).lines].join('\n');
}

export const registerScoreboard: CommandRegistrar = (program, ctx) => {
  program
    .command('scoreboard')
    .description(describeCommand('scoreboard'))
    .option('--date <yyyy-mm-dd>', 'one ET trading day')
    .option('--from <yyyy-mm-dd>', 'first ET day (inclusive)')
    .option('--to <yyyy-mm-dd>', 'last ET day (inclusive)')
    .addOption(new Option('--series <series>', 'only this series (INXU, NASDAQ100U, INX, NASDAQ100 or KX tickers)').argParser(parseSeriesArg))
    .option('--ledger <path>', 'ledger file (default: data/proc/ledger/index_paper.jsonl or KALSHI_INDEX_PAPER_LEDGER_PATH)')
    .option('--no-archives', 'ignore data/proc/ledger/archive/*.jsonl.gz')
    .option('--json', 'machine-readable output: {"rows": [...], "total": {...}, "skipped_lines": n}')
    .addHelpText('after', '\nExamples:\n  kalshi-alpha scoreboard --date 2026-11-20\n  kalshi-alpha scoreboard --from 2026-11-01 --to 2026-11-30 --series INXU --json')
    .action((opt: ScoreboardOptions) => {
      const c = ctx();
      if (opt.date !== undefined && (opt.from !== undefined || opt.to !== undefined)) throw new UsageError('give either --date or --from/--to, not both');
      const fromDate = date(opt.date ?? opt.from, opt.date !== undefined ? '--date' : '--from');
      const toDate = date(opt.date ?? opt.to, opt.date !== undefined ? '--date' : '--to');
      if (fromDate && toDate && fromDate > toDate) throw new UsageError(`--from ${fromDate} is after --to ${toDate}`);
      const file = opt.ledger ? path.resolve(c.home, opt.ledger) : c.paths.ledger;
      checkUserFile(file, opt.ledger ? `--ledger ${opt.ledger}` : file, { optional: true }); // absent reads as empty
      const read = readLedger(file, {
        ...(opt.archives ? { archiveDir: c.paths.ledgerArchiveDir } : {}),
        ...(fromDate ? { fromDate } : {}),
        ...(toDate ? { toDate } : {}),
      });
      for (const s of read.skipped) c.io.err(describeSkipped(s) + '\n');
      const board = computeScoreboard(read.records, {
        ...(fromDate ? { fromDate } : {}),
        ...(toDate ? { toDate } : {}),
        ...(opt.series ? { series: opt.series.code } : {}),
        freezeOffsetMs: c.config.windows.freeze_offset_seconds * 1000,
      });
      if (opt.json) {
        c.json({ ledger: file, rows: board.rows, total: board.total, skipped_lines: read.skipped.length });
      } else if (board.rows.length === 0) {
        c.out(`no ledger records${fromDate || toDate ? ' in range' : ''} (${file})`);
      } else {
        c.out(scoreboardTable(board.rows, board.total));
        c.out('');
        c.out(queueTable(board.rows, board.total));
        c.out('');
        c.out(reliabilityTable(board.total));
      }
    });
};
