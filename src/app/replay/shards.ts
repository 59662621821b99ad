/**
 * Sharded sweeps (issue 20): `replay --days N --from D --shard I/K --out FILE` replays the I-th of K
 * slices of the (setting × day) jobs and writes their summaries to FILE; `replay merge FILES…` checks that
 * the files are the K shards of one sweep, each once, and aggregates them into the table `replay` prints.
 *
 * The slice is deterministic and needs no coordination: job j (in the order `replay` builds them, setting
 * by setting, day by day) belongs to shard (j mod K) + 1 — round robin, so the days of every setting spread
 * evenly over the shards. Merging puts the summaries back in job order before aggregating, and a summary's
 * numbers survive JSON exactly (doubles print and parse to themselves), so the merged table is the very
 * table one unsharded run prints, byte for byte. Any machine can run any shard (a batch array job's index,
 * an indexed Job's completion index): no scheduler of ours.
 *
 * A shard file says which sweep it belongs to — from, days, seed, series, windows, and every setting with a
 * digest of its whole effective config (so a shard run against another configs/index_ops.yaml is caught,
 * not averaged in) — and merge refuses files that disagree, overlap or leave a shard out.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { readUserFile } from '../../config/user-file.ts';
import { ReplayInputError } from './run.ts';
import type { DayJob, DaySummary } from './days.ts';
import type { Setting } from './settings.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

const SHARD = /^(\d{1,6})\/(\d{1,6})$/;

/** `I/K` with 1 ≤ I ≤ K. */
export function parseShard(text: string): Shard {
  const m = SHARD.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new ReplayInputError(`--shard ${text}: expected I/K with 1 ≤ I ≤ K (e.g. 1/4)`);
  return { index, count };
}

/** Whether job `j` (0-based, in sweep order) belongs to `shard`. */
export const inShard = (j: number, shard: Shard): boolean => j % shard.count === shard.index - 1;

/** The jobs of one shard (all of them without a shard). */
export function shardJobs<T extends Pick<DayJob, 'id'>>(jobs: readonly T[], shard: Shard | undefined): T[] {
  return shard ? jobs.filter((j) => inShard(j.id, shard)) : [...jobs];
}

/** What makes two shard files parts of one sweep. */
export interface SweepKey {
  from: string;
  days: number;
  last_day: string;
  seed: number;
  series: string[] | null;
  only: string[] | null;
  settings: { label: string; overrides: Record<string, unknown>; config_sha256: string }[];
}

export function sweepKey(o: { from: string; days: readonly string[]; seed: number; series?: readonly string[]; only?: readonly string[]; settings: readonly Setting[] }): SweepKey {
  return {
    from: o.from,
    days: o.days.length,
    last_day: o.days[o.days.length - 1]!,
    seed: o.seed,
    series: o.series ? [...o.series] : null,
    only: o.only ? [...o.only] : null,
    settings: o.settings.map((s) => ({ label: s.label, overrides: s.overrides, config_sha256: crypto.createHash('sha256').update(JSON.stringify(s.config)).digest('hex') })),
  };
}

const FORMAT = 'kalshi-alpha/replay-shard@1';

const num = z.number().finite();
const SummarySchema = z
  .object({
    id: z.number().int().nonnegative(),
    dateEt: z.string(),
    setting: z.number().int().nonnegative(),
    ok: z.boolean(),
    error: z.string().optional(),
    windows: num,
    windowsDone: num,
    windowsNoGo: num,
    windowsError: num,
    quotes: num,
    fills: num,
    filledOrders: num,
    filledContracts: num,
    pnlUsd: num,
    brierSum: num,
    logLossSum: num,
    scored: num,
    wallMs: num,
    timers: num,
    cycles: num,
  })
  .strict();

const ShardFileSchema = z
  .object({
    format: z.literal(FORMAT),
    shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).strict(),
    sweep: z
      .object({
        from: z.string(),
        days: z.number().int().positive(),
        last_day: z.string(),
        seed: z.number().int(),
        series: z.array(z.string()).nullable(),
        only: z.array(z.string()).nullable(),
        settings: z.array(z.object({ label: z.string(), overrides: z.record(z.string(), z.unknown()), config_sha256: z.string() }).strict()).min(1),
      })
      .strict(),
    jobs: z.number().int().positive(),
    wall_ms: num,
    results: z.array(SummarySchema),
  })
  .strict();

export type ShardFile = z.infer<typeof ShardFileSchema>;

/** The document `--out` writes for one shard. */
export function shardFile(shard: Shard, sweep: SweepKey, jobs: number, results: readonly DaySummary[], wallMs: number): ShardFile {
  return { format: FORMAT, shard: { ...shard }, sweep, jobs, wall_ms: Math.round(wallMs), results: results as DaySummary[] };
}

/** A shard file, validated (a one-line reason naming the file otherwise). */
export function readShardFile(file: string, display: string = file): ShardFile {
  const text = readUserFile(file, display);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ReplayInputError(`${display}: not JSON (expected a shard file from replay --shard I/K --out FILE)`);
  }
  const r = ShardFileSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ReplayInputError(`${display}: not a replay shard file (${i.path.join('.') || 'document'}: ${i.message})`);
  }
  const f = r.data;
  if (f.shard.index > f.shard.count) throw new ReplayInputError(`${display}: shard ${f.shard.index}/${f.shard.count} is out of range`);
  if (f.jobs !== f.sweep.days * f.sweep.settings.length) throw new ReplayInputError(`${display}: ${f.jobs} jobs for ${f.sweep.days} day(s) × ${f.sweep.settings.length} setting(s)`);
  const want: number[] = [];
  for (let j = 0; j < f.jobs; j++) if (inShard(j, f.shard)) want.push(j);
  const got = f.results.map((x) => x.id);
  if (got.length !== want.length || got.some((id, i) => id !== want[i])) throw new ReplayInputError(`${display}: its results are not the jobs of shard ${f.shard.index}/${f.shard.count}`);
  return f;
}

/** What a merge gives back: the sweep, and every job's summary in sweep order. */
export interface Merged {
  sweep: SweepKey;
  count: number;
  results: DaySummary[];
  /** Σ of the shards' wall times (ms): the compute a sweep took, not its elapsed time. */
  shardWallMs: number;
}

/** The K shard files of one sweep, each once, into one list in sweep order; a one-line reason otherwise. */
export function mergeShards(files: readonly { name: string; file: ShardFile }[]): Merged {
  if (files.length === 0) throw new ReplayInputError('replay merge: give the shard files (replay --shard I/K --out FILE)');
  const first = files[0]!;
  const key = JSON.stringify(first.file.sweep);
  const count = first.file.shard.count;
  const byIndex = new Map<number, string>();
  for (const { name, file } of files) {
    if (JSON.stringify(file.sweep) !== key) throw new ReplayInputError(`replay merge: ${name} is from another sweep than ${first.name} (${differing(first.file.sweep, file.sweep)} differ)`);
    if (file.shard.count !== count) throw new ReplayInputError(`replay merge: ${name} is shard ${file.shard.index}/${file.shard.count}, ${first.name} one of ${count}`);
    const seen = byIndex.get(file.shard.index);
    if (seen !== undefined) throw new ReplayInputError(`replay merge: overlapping shards: ${file.shard.index}/${count} is both ${seen} and ${name}`);
    byIndex.set(file.shard.index, name);
  }
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(`${i}/${count}`);
  if (missing.length) throw new ReplayInputError(`replay merge: missing shard(s) ${missing.join(', ')}`);
  const results: DaySummary[] = new Array(first.file.jobs);
  for (const { file } of files) for (const r of file.results) results[r.id] = r as DaySummary;
  return { sweep: first.file.sweep, count, results, shardWallMs: files.reduce((a, f) => a + f.file.wall_ms, 0) };
}

/** Which sweep parameters two keys disagree on, by name. */
function differing(a: SweepKey, b: SweepKey): string {
  const names = (Object.keys(a) as (keyof SweepKey)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return names.join(', ') || 'parameters';
}

/** A short name for a file in messages. */
export const displayName = (home: string, file: string): string => path.relative(home, file) || file;
