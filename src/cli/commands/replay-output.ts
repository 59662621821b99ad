/**
 * What every `replay` form (a generated day, a recording) shares: where its ledger goes and how a day's result
 * is printed. Beside the commands rather than in replay.ts, so replay-recording.ts (loaded by replay.ts only when
 * `--recording` is given) imports it without a circle.
 */
import path from 'node:path';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { reliabilityTable, scoreboardTable } from './scoreboard.ts';
import type { ReplayRunResult } from '../../app/replay/run.ts';
import { summarise } from '../../app/supervisor/windows.ts';

/** The replay ledger's path: --ledger (never the paper ledger), the default under data/proc/replay, or none. */
export function replayLedgerPath(c: CliContext, opt: { ledger?: string | false }, name: string): string | undefined {
  if (opt.ledger === false) return undefined;
  const file = opt.ledger ? path.resolve(c.home, opt.ledger) : path.join(c.home, 'data', 'proc', 'replay', name);
  if (path.resolve(file) === path.resolve(c.paths.ledger)) throw new UsageError(`--ledger ${opt.ledger}: that is the paper ledger; a replay writes its own`);
  return file;
}

/** The day's result: the scoreboard (text or JSON) and one summary line. */
export function printDay(c: CliContext, opt: { json?: boolean }, r: ReplayRunResult, extra: Record<string, unknown>): void {
  const windows = r.outcome.windows.map((w) => {
    const s = summarise(w.results);
    return { window: w.window.id, state: w.state, reasons: w.reasons, quotes: s.quotes, fills: s.fills, settled_markets: s.settled, pnl_usd: s.pnlUsd };
  });
  const t = r.scoreboard.total;
  const stats = {
    wall_ms: Math.round(r.stats.wallMs),
    timers: r.stats.timers,
    cycles: r.stats.cycles,
    ledger_records: r.stats.ledgerRecords,
    // The whole process's peak (bounded memory is part of the contract; see bench/replay.bench.ts).
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...extra,
  };
  if (opt.json) {
    c.json({ date: r.dateEt, ledger: r.ledgerFile ?? null, windows, scoreboard: { rows: r.scoreboard.rows, total: t }, stats });
    return;
  }
  if (r.scoreboard.rows.length > 0) {
    c.out(scoreboardTable(r.scoreboard.rows, t));
    c.out('');
    c.out(reliabilityTable(t));
    c.out('');
  } else c.out(`no quotes on ${r.dateEt}`);
  for (const w of windows) if (w.state !== 'done') c.out(`${w.window}: ${w.state}${w.reasons.length ? ` (${w.reasons.join(', ')})` : ''}`);
  const done = windows.filter((w) => w.state === 'done').length;
  c.out(
    `replay ${r.dateEt}: ${windows.length} window(s) (${done} done), quotes=${t.quotes} fills=${t.fills} pnl=$${t.realized_pnl.toFixed(4)} ` +
      `brier=${t.calibration.brier === null ? '-' : t.calibration.brier.toFixed(4)} — ${(r.stats.wallMs / 1000).toFixed(2)} s, ` +
      `${r.stats.timers} clock events, ${r.stats.cycles} engine cycles; ledger ${r.ledgerFile ?? '(memory only)'}`,
  );
}
