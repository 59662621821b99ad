/** `kalshi-alpha housekeep --keep-days N [--dry-run] [--json]` (SPEC §7.4): see src/app/housekeep.ts. */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { CheckFailed, UsageError } from '../errors.ts';
import { parseInstant, TimeParseError } from '../../core/time/et.ts';
import { housekeep, HousekeepBusy, HousekeepInputError, type HousekeepResult } from '../../app/housekeep.ts';

interface HousekeepCliOptions {
  keepDays?: number;
  dryRun?: boolean;
  json?: boolean;
  now?: string;
  quiet?: boolean;
}

function parseKeepDays(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of days ≥ 0, got "${value}"`);
  return n;
}

export function housekeepText(r: HousekeepResult, rel: (p: string) => string): string {
  const would = (done: string, dry: string) => (r.dry_run ? dry : done);
  const out: string[] = [];
  out.push(`housekeep ${r.now_et_date} (ET): keeping ${r.keep_from} onward (${r.keep_days} days)${r.dry_run ? ' — DRY RUN, nothing changed' : ''}`);
  const l = r.ledger;
  out.push(
    `ledger ${rel(l.file)}: ${l.records} records; ${l.kept_records} stay (today or later)` +
      (l.invalid_lines_kept ? `; ${l.invalid_lines_kept} invalid lines left in place` : '') +
      (l.undated_records_kept ? `; ${l.undated_records_kept} records with an invalid window date left in place` : ''),
  );
  for (const a of l.archived) out.push(`  ${would('archived', 'would archive')} ${a.date}: ${a.records} records (${a.added} new${a.merged ? `, merged with the existing ${a.total - a.added}` : ''}) → ${rel(a.file)}`);
  for (const e of l.expired) out.push(`  ${would('dropped', 'would drop')} ${e.date}: ${e.records} records (older than ${r.keep_from}, no archive kept)`);
  if (l.rotated) out.push(`  live file rotated; ${l.tail_bytes_carried} bytes appended meanwhile carried over`);
  else if (!r.dry_run && l.archived.length === 0 && l.expired.length === 0) out.push('  nothing to rotate');
  for (const d of r.archives_deleted) out.push(`${would('deleted', 'would delete')} archive ${rel(d.path)} (${d.date})`);
  for (const d of r.artifacts_deleted) {
    const src = d.source === 'folder' ? `day folder, ${d.files} files` : d.source === 'file_name' ? 'date in name' : 'generated_at';
    out.push(`${would('deleted', 'would delete')} ${rel(d.path)} (${d.date}, ${src})`);
  }
  for (const u of r.artifacts_undated) out.push(`left alone (no recorded date): ${rel(u)}`);
  if (r.leftovers_removed.length) out.push(`removed ${r.leftovers_removed.length} leftovers of an interrupted run`);
  for (const e of r.errors) out.push(`ERROR: ${e}`);
  return out.join('\n');
}

export const registerHousekeep: CommandRegistrar = (program, ctx, state) => {
  program
    .command('housekeep')
    .description(describeCommand('housekeep'))
    .option('--keep-days <n>', 'days to keep besides today (default: housekeeping.keep_days in configs/index_ops.yaml, 30)', parseKeepDays)
    .option('--dry-run', 'print what it would do, change nothing')
    .option('--now <iso>', 'reference time (default: now); today is its ET date')
    .option('--quiet', 'no progress lines on stderr')
    .option('--json', 'machine-readable result')
    .addHelpText('after', '\nExamples:\n  kalshi-alpha housekeep --keep-days 30 --dry-run\n  kalshi-alpha housekeep --json')
    .action(async (opt: HousekeepCliOptions) => {
      const c = ctx();
      let nowMs = c.clock.now();
      if (opt.now !== undefined) {
        try {
          nowMs = parseInstant(opt.now);
        } catch (e) {
          if (e instanceof TimeParseError) throw new UsageError(`--now: ${e.message}`);
          throw e;
        }
      }
      const keepDays = opt.keepDays ?? c.config.housekeeping.keep_days;
      const rel = (p: string) => {
        const r = path.relative(c.home, p);
        return r.startsWith('..') || path.isAbsolute(r) ? p : r;
      };
      let result: HousekeepResult;
      try {
        result = await housekeep({
          paths: { ledger: c.paths.ledger, archiveDir: c.paths.ledgerArchiveDir, artifactsDir: path.dirname(c.paths.monitorsDir) },
          nowMs,
          keepDays,
          dryRun: Boolean(opt.dryRun),
          ...(opt.quiet ? {} : { progress: (line: string) => c.io.err(line + '\n') }),
        });
      } catch (e) {
        if (e instanceof HousekeepInputError) throw new UsageError(e.message);
        if (e instanceof HousekeepBusy) throw new CheckFailed(e.message);
        throw e;
      }
      if (opt.json) c.json(result);
      else c.out(housekeepText(result, rel));
      if (result.errors.length) {
        for (const e of result.errors) c.io.err(`housekeep: ${e}\n`);
        state.exitCode = 1;
      }
    });
};
