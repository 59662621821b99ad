/**
 * Seeded heteroskedastic minute bars for the adaptive σ's tests (issue 19): a day-level log-vol AR(1)
 * across sessions, the U-shaped intraday profile, and a variance burst after a scheduled release on the
 * given event days — the shape of the regime world, generated here so the tests do not depend on it.
 * Massive convention (stamp = the minute's start, close = the value one minute later).
 */
import type { Bar } from '../../src/core/calibration/fit.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { addDays, etToMs } from '../../src/core/time/et.ts';
import { intradayVarianceShape } from '../../src/core/model/curve.ts';
import { gaussian, seededRandom } from '../../src/sim/day/index-path.ts';

export interface HeteroOptions {
  from: string;
  days: number;
  seed: number;
  /** Mean one-minute σ, points. */
  sigma: number;
  /** AR(1) of the day's log vol and its stationary sd. */
  phi?: number;
  sd?: number;
  /** Event days → release time `HH:MM` ET, burst amplitude A and decay D minutes (variance ×(1 + A·e^(−τ/D))). */
  events?: ReadonlyMap<string, { timeEt: string; amplitude: number; decay: number }>;
}

export function heteroBars(o: HeteroOptions): { bars: Bar[]; dates: string[]; dayVol: Map<string, number> } {
  const cal = createCalendar();
  const z = gaussian(seededRandom(o.seed));
  const phi = o.phi ?? 0.7;
  const sd = o.sd ?? 0.5;
  let x = sd * z();
  const bars: Bar[] = [];
  const dates: string[] = [];
  const dayVol = new Map<string, number>();
  let v = 6000;
  for (let d = o.from; dates.length < o.days; d = addDays(d, 1)) {
    const s = cal.session(d);
    if (!s.closeEt) continue;
    dates.push(d);
    x = phi * x + Math.sqrt(1 - phi * phi) * sd * z();
    const level = Math.exp(x - sd * sd);
    dayVol.set(d, level);
    const open = etToMs(d, '09:30');
    const close = etToMs(d, s.closeEt);
    const ev = o.events?.get(d);
    const evMin = ev ? (Number(ev.timeEt.slice(0, 2)) * 60 + Number(ev.timeEt.slice(3, 5))) - 570 : Infinity;
    for (let t = open, k = 0; t < close; t += 60_000, k++) {
      const tau = k + 0.5 - evMin;
      const burst = tau >= 0 ? 1 + ev!.amplitude * Math.exp(-tau / ev!.decay) : 1;
      v += o.sigma * level * Math.sqrt(intradayVarianceShape((k + 0.5) / 390) * burst) * z();
      bars.push({ t, c: Math.round(v * 100) / 100 });
    }
  }
  return { bars, dates, dayVol };
}
