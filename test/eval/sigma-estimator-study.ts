/**
 * The seeded study behind calibrate's σ(m) estimator (src/core/calibration/fit.ts, README "calibrate"):
 * R calibration sets of 120 weekdays of the simulator's own paths (seeds 9100…, design seeds never used in
 * an evaluation), each fitted by the real `fitCalibration` with several smoothing widths (`--smooth-lags`;
 * 0 = the direct std of S_T − S_{T−m}), against the truth (the generator's own variance of S_T − S_{T−m},
 * averaged over the same days). Prints per m the bias and rms relative error of σ(m) over every
 * (set, symbol, target), and the largest |σ(m+1)/σ(m) − √((m+1)/m)| over m (smoothness of the curve).
 *   node --import tsx test/eval/sigma-estimator-study.ts [R=10] [h,h,…=0,5,10,15,20] [L=5]
 */
import { fitCalibration, type Bar } from '../../src/core/calibration/fit.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
import { simDay } from '../../src/sim/market/day.ts';

const R = Number(process.argv[2] ?? 10);
const widths = (process.argv[3] ?? '0,5,10,15,20').split(',').map(Number);
const L = Number(process.argv[4] ?? 5);
const targets = ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'];
const mEval = [1, 2, 5, 10, 11, 15, 30, 60];
const err: Record<string, number[]> = {};
const smooth: Record<string, number[]> = {};
const push = (o: Record<string, number[]>, k: string, v: number) => (o[k] ??= []).push(v);
const session = (d: string) => (weekday(d) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null);
for (let r = 0; r < R; r++) {
  const seed = 9100 + r;
  const dates: string[] = [];
  for (let d = '2025-03-03'; dates.length < 120; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  const days = dates.map((d) => ({ d, paths: simDay({ seed, dateEt: d }).paths }));
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const key = symbol === 'I:SPX' ? 'spx' : 'ndx';
    const bars: Bar[] = [];
    for (const { d, paths } of days) {
      const p = paths[key];
      const open = etToMs(d, '09:30');
      for (let t = open; t < etToMs(d, '16:00'); t += 60_000) bars.push({ t, c: p.valueAt(t + 60_000) });
    }
    // the truth: E[(S_T − S_{T−m})²] ≈ mean over the days of S_T² × the log variance between the two samples
    const truth = new Map<string, Float64Array>();
    for (const hh of targets) {
      const tr = new Float64Array(61);
      for (const { d, paths } of days) {
        const p = paths[key];
        const T = etToMs(d, hh);
        const sT = p.valueAt(T);
        for (let m = 1; m <= 60; m++) tr[m] = tr[m]! + sT * sT * p.logVarianceBetween(T - m * 60_000, T);
      }
      truth.set(hh, tr.map((x) => Math.sqrt(x / days.length)));
    }
    for (const h of widths) {
      const { params } = fitCalibration({ symbol, horizon: 'hourly', bars, session, kappaCap: 1.8, generatedAtMs: 0, smoothLags: h, autocorrLags: L });
      for (const hh of targets) {
        const curve = params.by_target![hh]!.minutes_to_target;
        const tr = truth.get(hh)!;
        for (const m of mEval) {
          const s = curve[String(m)]?.sigma;
          if (s === undefined) continue;
          push(err, `h=${String(h).padStart(2)} m=${String(m).padStart(2)}`, s / tr[m]! - 1);
        }
        let worst = 0;
        let at1011 = 0;
        for (let m = 1; m < 60; m++) {
          const a = curve[String(m)]?.sigma;
          const b = curve[String(m + 1)]?.sigma;
          if (a === undefined || b === undefined || !(a > 0)) continue;
          const dev = Math.abs(b / a - Math.sqrt((m + 1) / m));
          worst = Math.max(worst, dev);
          if (m === 10) at1011 = dev;
        }
        push(smooth, `h=${String(h).padStart(2)} max`, worst);
        push(smooth, `h=${String(h).padStart(2)} 10→11`, at1011);
      }
    }
  }
}
const stat = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const rms = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
  return { mean, rms };
};
for (const [k, v] of Object.entries(err).sort()) {
  const s = stat(v);
  console.log(`${k}  n=${v.length}  bias ${(s.mean * 100).toFixed(2)}%  rms ${(s.rms * 100).toFixed(2)}%`);
}
for (const [k, v] of Object.entries(smooth).sort()) {
  const s = stat(v);
  console.log(`${k.padEnd(12)} |σ(m+1)/σ(m) − √((m+1)/m)|: mean ${(s.mean * 100).toFixed(3)}%  worst ${(Math.max(...v) * 100).toFixed(3)}%`);
}
