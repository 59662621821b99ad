import { worldPath } from '../../src/sim/day/world.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
/**
 * The seeded study behind calibrate's former near-target σ (superseded by the one estimator of
 * sigma-estimator-study.ts; src/core/calibration/fit.ts, README "calibrate"):
 * for R calibration sets of 120 weekdays of the simulator's own paths (seeds 9000…), the final minute's σ
 * per symbol and target hour estimated by `incM` (the std of every one-minute change of the last M
 * minutes; inc1 is the direct σ(1)) and `scaleM` (σ(M)/√M), against the truth (the generator's own
 * variance of the last minute). Prints bias and rms relative error, overall and per target.
 *   node --import tsx test/eval/sigma-near-target-study.ts [R=20]
 */
const R = Number(process.argv[2] ?? 20);
const Ms = [1, 3, 5, 10, 15];
const targets = [10, 11, 12, 13, 14, 15, 16];
const err: Record<string, number[]> = {};
const push = (k: string, v: number) => (err[k] ??= []).push(v);
for (let r = 0; r < R; r++) {
  const seed = 9000 + r;
  const dates: string[] = [];
  for (let d = '2025-03-03'; dates.length < 120; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const perT = targets.map(() => ({ truth: 0, n: 0, inc: Ms.map(() => ({ s: 0, ss: 0, n: 0 })), lvl: Ms.map(() => ({ s: 0, ss: 0, n: 0 })) }));
    for (const d of dates) {
      const open = etToMs(d, '09:30');
      const p = worldPath(symbol, { seed, dateEt: d, world: 'classic' }); // the study was made on the classic world
      targets.forEach((hh, ti) => {
        const T = etToMs(d, `${hh}:00`);
        const a = perT[ti]!;
        const sT = p.valueAt(T);
        a.truth += sT * sT * p.logVarianceBetween(T - 60_000, T); a.n++;
        Ms.forEach((M, mi) => {
          const top = Math.min(M, (T - open) / 60_000);
          for (let k = 1; k <= top; k++) {
            const x = p.valueAt(T - (k - 1) * 60_000) - p.valueAt(T - k * 60_000);
            const q = a.inc[mi]!; q.s += x; q.ss += x * x; q.n++;
          }
          const y = sT - p.valueAt(T - top * 60_000);
          const q = a.lvl[mi]!; q.s += y / Math.sqrt(top); q.ss += (y * y) / top; q.n++;
        });
      });
    }
    perT.forEach((a, ti) => {
      const truth = Math.sqrt(a.truth / a.n);
      const sd = (q: { s: number; ss: number; n: number }) => Math.sqrt((q.ss - (q.s * q.s) / q.n) / (q.n - 1));
      Ms.forEach((M, mi) => { push(`inc${M}`, sd(a.inc[mi]!) / truth - 1); push(`inc${M} ${symbol} ${targets[ti]}`, sd(a.inc[mi]!) / truth - 1); });
    });
  }
}
const rows = Object.entries(err).map(([k, v]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const rms = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
  return `${k.padEnd(8)} n=${v.length} bias ${(mean * 100).toFixed(2)}%  rms ${(rms * 100).toFixed(2)}%`;
});
console.log(rows.join('\n'));
