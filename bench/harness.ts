/**
 * Benchmark harness (never used in tests). Every benchmark produces one result line:
 *
 *   {"name": "...", "unit": "us", "median": 8.91, "p99": 14.2, "n": 20000, "target": "<= 10 us", ...extras}
 *
 * - Latencies (`us`, `ms`): `median` and `p99` of the per-call samples (nearest rank), lower is better.
 * - Rates (`msg/s`, `records/s`, `events/s`): each of `n` rounds processes a batch and yields one rate;
 *   `median` is the median rate and `p99` the rate of the slowest 1 % of rounds (the tail that matters
 *   for a rate), higher is better.
 * - `target` is a human string `<= X unit` or `>= X unit`; `ok` (an extra field) says whether the median
 *   meets it. Extra fields carry context (quote counts, file system …), never the required ones.
 */

export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  p99: number;
  n: number;
  target: string;
  [extra: string]: unknown;
}

/** Collects results: each bench module's default export calls `report` once per benchmark. */
export type Report = (r: BenchResult) => void;
export type BenchModule = { default: (report: Report) => Promise<void> };

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Rounds to 4 significant digits (enough for a bench, stable in JSON). */
export function round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6)));
}

/** Whether `median` meets a `<= X unit` / `>= X unit` target (undefined if the target is not in that form). */
export function meets(target: string, median: number): boolean | undefined {
  const m = /^(<=|>=)\s*([\d.e+]+)/.exec(target.trim());
  if (!m) return undefined;
  const limit = Number(m[2]);
  return m[1] === '<=' ? median <= limit : median >= limit;
}

function result(name: string, unit: string, median: number, p99: number, n: number, target: string, extra: Record<string, unknown> = {}): BenchResult {
  const med = round(median);
  const ok = meets(target, med);
  return { name, unit, median: med, p99: round(p99), n, target, ...extra, ...(ok === undefined ? {} : { ok }) };
}

/** Per-call latency of `fn` after a warm-up, in `unit`. */
export function latency(
  name: string,
  fn: () => void,
  opts: { iterations?: number; warmup?: number; unit?: 'ns' | 'us' | 'ms'; target: string; extra?: Record<string, unknown> },
): BenchResult {
  const iterations = opts.iterations ?? 10_000;
  const warmup = opts.warmup ?? Math.min(2_000, iterations);
  for (let i = 0; i < warmup; i++) fn();
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  samples.sort();
  const scale = UNIT_NS[opts.unit ?? 'us']!;
  return result(name, opts.unit ?? 'us', quantile(samples, 0.5) / scale, quantile(samples, 0.99) / scale, iterations, opts.target, opts.extra);
}

/** Rate of a batch function processing `count` items per call, over `rounds` timed rounds (after one warm-up). */
export function rate(
  name: string,
  count: number,
  fn: () => void,
  opts: { rounds?: number; unit: string; target: string; extra?: Record<string, unknown> },
): BenchResult {
  const rounds = opts.rounds ?? 10;
  fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    rates.push((count * 1e9) / Number(process.hrtime.bigint() - t0));
  }
  rates.sort((a, b) => a - b);
  return result(name, opts.unit, quantile(rates, 0.5), quantile(rates, 0.01), rounds, opts.target, opts.extra);
}

/** A result from samples measured elsewhere (e.g. wall times of child processes), lower is better. */
export function fromSamples(name: string, samples: number[], opts: { unit: string; target: string; extra?: Record<string, unknown> }): BenchResult {
  const s = [...samples].sort((a, b) => a - b);
  return result(name, opts.unit, quantile(s, 0.5), quantile(s, 0.99), s.length, opts.target, opts.extra);
}

/** The human table printed after every JSON line. */
export function table(results: readonly BenchResult[]): string {
  // `--against REF` (against.ts): one more column, this tree's median over REF's (median of the rounds)
  const against = results.some((r) => r.ratio_median !== undefined);
  const header = ['benchmark', 'median', 'p99', 'unit', 'n', 'target', 'ok', ...(against ? ['× ref (better)'] : [])];
  const rows = results.map((r) => [
    r.name,
    String(r.median),
    String(r.p99),
    r.unit,
    String(r.n),
    r.target,
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
    ...(against ? [r.ratio_median === undefined ? '' : `${String(r.ratio_median)} (${String(r.better)})`] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 || i >= 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
