/**
 * Minute bars for the commands that read index history (`calibrate`, `evaluate --bars`): a file
 * (`--bars FILE`: CSV, JSONL or a Massive aggs JSON) or Massive REST aggregates (`--from D --to D`, key from
 * `MASSIVE_API_KEY`/`POLYGON_API_KEY`), with the day's official closes where the source has them
 * (`--closes FILE` beside a file; the daily aggregates of the range beside `--from/--to`). One reader for
 * both commands, so they accept exactly the same inputs.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Bar } from '../../core/calibration/fit.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { assertDate } from '../../core/time/et.ts';
import { BarsFileError, readBarsFile, readClosesFile } from '../../adapters/calibration/bars-file.ts';
import { fetchDailyCloses, fetchMinuteBars } from '../../adapters/calibration/massive-bars.ts';
import { MassiveRestClient } from '../../adapters/massive/rest.ts';
import { checkUserFile } from '../../config/user-file.ts';
import { massiveApiKey } from '../../config/env.ts';

export const DEFAULT_MASSIVE_REST_BASE = 'https://api.massive.com';

export function parseSymbolArg(value: string): IndexSymbol {
  const v = value.trim().toUpperCase().replace(/^I:/, '');
  if (v === 'SPX') return 'I:SPX';
  if (v === 'NDX') return 'I:NDX';
  throw new InvalidArgumentError(`unknown symbol "${value}" (expected I:SPX or I:NDX)`);
}

function parseDateArg(value: string): string {
  try {
    return assertDate(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export interface BarsFlags {
  bars?: string;
  closes?: string;
  from?: string;
  to?: string;
  barStamp: 'start' | 'end';
}

/** The bar-source flags, the same on every command that reads bars. */
export function addBarsOptions(cmd: Command, o: { closes?: boolean } = {}): Command {
  cmd.option('--bars <file>', 'minute bars: CSV (timestamp,close or t,c), JSONL ({"t":ms,"c":x} or Massive {o,h,l,c,t}) or a Massive aggs JSON');
  if (o.closes !== false) cmd.option('--closes <file>', "official closes (daily bars in the same forms, or CSV date,close) to fit residual_std from; with --from/--to Massive's daily aggregates are used");
  return cmd
    .option('--from <date>', 'first ET date to fetch from Massive REST (with --to)', parseDateArg)
    .option('--to <date>', 'last ET date to fetch from Massive REST (with --from)', parseDateArg)
    .option('--bar-stamp <start|end>', 'bar timestamps mark the window start (Massive) or end', (v: string) => {
      if (v !== 'start' && v !== 'end') throw new InvalidArgumentError('expected start or end');
      return v;
    }, 'start');
}

export interface BarsInput {
  bars: Bar[];
  /** Official closes by ET date, when the source has them. */
  closes?: Map<string, number>;
  source: 'bars_file' | 'massive';
}

/** Reads or fetches the bars the flags name; bad input is a UsageError (exit 2) naming the file or flag. */
export async function loadBars(c: CliContext, opt: BarsFlags, symbol: IndexSymbol, o: { closes?: boolean } = {}): Promise<BarsInput> {
  if (Boolean(opt.bars) === Boolean(opt.from || opt.to)) throw new UsageError('give either --bars FILE or --from YYYY-MM-DD --to YYYY-MM-DD');
  if (!opt.bars && !(opt.from && opt.to)) throw new UsageError('--from and --to go together');
  if (opt.closes && !opt.bars) throw new UsageError('--closes goes with --bars (with --from/--to the daily aggregates are fetched)');
  if (opt.bars) {
    checkUserFile(path.resolve(c.home, opt.bars), `--bars ${opt.bars}`, { optional: true }); // absent: the reader says so
    if (opt.closes) checkUserFile(path.resolve(c.home, opt.closes), `--closes ${opt.closes}`, { optional: true });
    try {
      const bars = readBarsFile(path.resolve(c.home, opt.bars), opt.bars);
      const closes = opt.closes ? readClosesFile(path.resolve(c.home, opt.closes), opt.closes) : undefined;
      return { bars, ...(closes ? { closes } : {}), source: 'bars_file' };
    } catch (e) {
      if (e instanceof BarsFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  const key = massiveApiKey(c.env);
  if (!key) throw new UsageError('--from/--to need POLYGON_API_KEY or MASSIVE_API_KEY');
  if (opt.to! < opt.from!) throw new UsageError(`--to ${opt.to} is before --from ${opt.from}`);
  const client = new MassiveRestClient({ baseUrl: c.env.MASSIVE_REST_BASE ?? DEFAULT_MASSIVE_REST_BASE, apiKey: key, clock: c.clock, timeoutMs: 30_000 });
  const range = { client, clock: c.clock, symbol, from: opt.from!, to: opt.to! };
  const bars = await fetchMinuteBars(range);
  if (bars.length === 0) throw new UsageError(`Massive returned no ${symbol} minute bars for ${opt.from}..${opt.to}`);
  if (o.closes === false) return { bars, source: 'massive' };
  const closes = await fetchDailyCloses(range);
  return { bars, closes, source: 'massive' };
}
