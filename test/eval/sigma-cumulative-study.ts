/**
 * Follow-up study (not in the model): σ(m) at m = 1…60 from the cumulative sum of per-lag one-minute
 * variances smoothed over ±H lags (`cum`), vs the direct std of S_T − S_{T−m} (`direct`) and the
 * former near-target estimator (`near10`; calibrate now uses the smoothed cumulative estimator with
 * autocovariances, sigma-estimator-study.ts), on the simulator's paths (seeds 9100…). Assumes
 * independent minute changes, which SPEC §5.3's direct std does not.
 *   node --import tsx test/eval/sigma-cumulative-study.ts [R=10] [H=5]
 */
import { worldPath } from '../../src/sim/day/world.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
const R = Number(process.argv[2] ?? 10);
const H = Number(process.argv[3] ?? 5);
const targets = [10, 11, 12, 13, 14, 15, 16];
const mEval = [1, 5, 15, 30, 60];
const err: Record<string, number[]> = {};
const push = (k: string, v: number) => (err[k] ??= []).push(v);
for (let r = 0; r < R; r++) {
  const seed = 9100 + r;
  const dates: string[] = [];
  for (let d = '2025-03-03'; dates.length < 120; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const paths = dates.map((d) => ({ d, p: worldPath(symbol, { seed, dateEt: d, world: 'classic' }) }));
    for (const hh of targets) {
      const maxM = hh === 10 ? 29 : 60;
      // per-lag stats and direct stats
      const lag = Array.from({ length: maxM + 1 }, () => ({ s: 0, ss: 0, n: 0 }));
      const dir = Array.from({ length: maxM + 1 }, () => ({ s: 0, ss: 0, n: 0 }));
      const truth = new Float64Array(maxM + 1);
      for (const { d, p } of paths) {
        const T = etToMs(d, `${hh}:00`);
        const sT = p.valueAt(T);
        for (let k = 1; k <= maxM; k++) {
          const x = p.valueAt(T - (k - 1) * 60_000) - p.valueAt(T - k * 60_000);
          lag[k]!.s += x; lag[k]!.ss += x * x; lag[k]!.n++;
          const y = sT - p.valueAt(T - k * 60_000);
          dir[k]!.s += y; dir[k]!.ss += y * y; dir[k]!.n++;
          truth[k] = truth[k]! + sT * sT * p.logVarianceBetween(T - k * 60_000, T);
        }
      }
      const vr = (q: { s: number; ss: number; n: number }) => (q.ss - (q.s * q.s) / q.n) / (q.n - 1);
      const vk = lag.map((q, k) => (k === 0 ? 0 : vr(q)));
      // smoothed per-lag variance
      const sm = vk.map((_, k) => { if (k === 0) return 0; let a = 0, c = 0; for (let j = Math.max(1, k - H); j <= Math.min(maxM, k + H); j++) { a += vk[j]!; c++; } return a / c; });
      let cum = 0;
      const cumV = sm.map((v, k) => (k === 0 ? 0 : (cum += v)));
      // near10 pooled
      let ps = 0, pss = 0, pn = 0; for (let k = 1; k <= 10; k++) { ps += lag[k]!.s; pss += lag[k]!.ss; pn += lag[k]!.n; }
      const s1 = Math.sqrt((pss - ps * ps / pn) / (pn - 1));
      for (const m of mEval) {
        if (m > maxM) continue;
        const tr = Math.sqrt(truth[m]! / paths.length);
        push(`direct m=${m}`, Math.sqrt(vr(dir[m]!)) / tr - 1);
        push(`cum h=${H} m=${m}`, Math.sqrt(cumV[m]!) / tr - 1);
        push(`near10 m=${m}`, (m <= 10 ? s1 * Math.sqrt(m) : Math.sqrt(vr(dir[m]!))) / tr - 1);
      }
    }
  }
}
for (const [k, v] of Object.entries(err).sort()) {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const rms = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
  console.log(`${k.padEnd(16)} n=${v.length} bias ${(mean * 100).toFixed(2)}%  rms ${(rms * 100).toFixed(2)}%`);
}
