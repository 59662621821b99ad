/**
 * `replay --recording FILE` (SPEC §9): a recorded day (supervisor-index --record) through the same engine.
 * Every malformed line is reported with its number and skipped (the rest replays), or with `--strict` the
 * recording is refused; a recording cut short is reported; nothing is silently truncated.
 */
import path from 'node:path';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { SeriesCode } from '../../core/series.ts';
import { ConfigError, indexOpsFromValue } from '../../config/index-ops.ts';
import { etToMs } from '../../core/time/et.ts';
import { scanRecording, RecordingError, type BadLine } from '../../adapters/recording/reader.ts';
import { checkUserFile } from '../../config/user-file.ts';
import { recordedDay, newRecordingStats } from '../../app/replay/recording-day.ts';
import { applyOverrides, parseSetFlags } from '../../app/replay/settings.ts';
import { runReplayDay } from '../../app/replay/run.ts';
import type { Setting } from '../../app/replay/settings.ts';
import { printDay, replayLedgerPath } from './replay-output.ts';

interface RecordingFlags {
  recording?: string;
  strict?: boolean;
  series?: SeriesCode[];
  only?: string[];
  ledger?: string | false;
  set: string[];
  json?: boolean;
  verbose?: boolean;
}

const SHOWN = 20;

export async function replayRecordingCommand(c: CliContext, opt: RecordingFlags, _config: Setting['config'], state: { exitCode: number }): Promise<void> {
  const file = path.resolve(c.home, opt.recording!);
  checkUserFile(file, `--recording ${opt.recording}`);
  let scan;
  try {
    scan = await scanRecording(file);
  } catch (e) {
    if (e instanceof RecordingError) throw new UsageError(e.message);
    throw e;
  }
  const report = (b: BadLine) => c.io.err(`kalshi-alpha: ${opt.recording}: line ${b.line}: ${b.reason}\n`);
  for (const b of scan.bad.slice(0, SHOWN)) report(b);
  if (scan.bad.length > SHOWN) c.io.err(`kalshi-alpha: ${opt.recording}: ${scan.bad.length - SHOWN} more malformed line(s)\n`);
  if (scan.truncated) c.io.err(`kalshi-alpha: ${opt.recording}: ${scan.truncated}\n`);
  if (opt.strict && (scan.bad.length > 0 || scan.truncated)) {
    const why = scan.bad.length > 0 ? `${scan.bad.length} malformed line(s), the first at line ${scan.bad[0]!.line}` : scan.truncated!;
    throw new UsageError(`--recording ${opt.recording}: refused (--strict): ${why}`);
  }
  // The recorded run's own configuration, unless the operator overrides keys of it.
  let config = c.config;
  if (scan.meta.config !== undefined) {
    try {
      config = indexOpsFromValue(scan.meta.config, `${opt.recording} (recorded config)`);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
  }
  const sets = parseSetFlags(opt.set);
  config = applyOverrides(config, Object.fromEntries([...sets].map(([k, v]) => [k, v[0]])));
  const run = scan.meta.run;
  // A loop run records one file per day: this file's day starts at its own midnight, not at the run's start.
  const dateEt = scan.header.date;
  const stats = newRecordingStats();
  const r = await runReplayDay({
    dateEt,
    seed: scan.meta.seed ?? 0,
    day: recordedDay({ file, meta: scan.meta }, stats),
    config,
    calendar: c.calendar,
    paths: c.paths,
    series: opt.series ?? (run?.series as SeriesCode[] | undefined),
    only: opt.only ?? run?.only,
    ledgerFile: replayLedgerPath(c, opt, `${path.basename(file).replace(/\.rec\.jsonl(\.gz)?$|\.jsonl(\.gz)?$|\.gz$/, '')}.replay.jsonl`),
    startMs: scan.openedMs,
    supervisor: run
      ? { refNowMs: Math.max(run.ref_now_ms, etToMs(dateEt, '00:00')), loop: run.loop, days: run.loop ? 1 : undefined, settle: run.settle, openLeadMs: run.open_lead_ms, sleepSeconds: run.sleep_seconds, preflightRetryMs: run.preflight_retry_ms }
      : undefined,
    log: opt.verbose ? (clock) => c.logger({ clock: () => clock, quiet: true, toStderr: true }) : undefined,
  });
  printDay(c, opt, r, {
    source: 'recording',
    recording: file,
    recorded_source: scan.meta.source ?? null,
    messages: scan.entries,
    dispatched: stats.dispatched,
    after_end: stats.afterEnd,
    bad_lines: scan.bad.length,
    truncated: scan.truncated ?? null,
    unanswered_requests: stats.unanswered.length,
    unused_answers: stats.unused,
  });
  if (stats.unanswered.length > 0) c.io.err(`kalshi-alpha: ${opt.recording}: ${stats.unanswered.length} request(s) the recording had no answer for (first: ${stats.unanswered[0]})\n`);
  if (r.outcome.windows.some((w) => w.state === 'error')) state.exitCode = 1;
}
