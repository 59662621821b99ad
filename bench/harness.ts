/** Tiny timing helpers for benches: warm up, then sample, report median/p99 (never used in tests). */
export interface BenchResult {
  name: string;
  iterations: number;
  medianNs: number;
  p99Ns: number;
  opsPerSec: number;
}

export function measure(name: string, fn: () => void, opts: { iterations?: number; warmup?: number } = {}): BenchResult {
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
  const medianNs = samples[Math.floor(iterations / 2)]!;
  const p99Ns = samples[Math.floor(iterations * 0.99)]!;
  const total = samples.reduce((a, b) => a + b, 0);
  return { name, iterations, medianNs, p99Ns, opsPerSec: (iterations * 1e9) / total };
}

/** Throughput of a batch function processing `count` items per call. */
export function throughput(name: string, count: number, fn: () => void, rounds = 5): { name: string; perSec: number } {
  fn(); // warm-up
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ns = Number(process.hrtime.bigint() - t0);
    best = Math.max(best, (count * 1e9) / ns);
  }
  return { name, perSec: best };
}

export function report(r: BenchResult): void {
  const us = (ns: number) => (ns / 1000).toFixed(2);
  console.log(`${r.name}: median ${us(r.medianNs)} µs, p99 ${us(r.p99Ns)} µs, ${Math.round(r.opsPerSec).toLocaleString('en-US')} ops/s (${r.iterations} iterations)`);
}
