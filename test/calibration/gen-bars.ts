/** Seeded synthetic minute bars with a known per-minute σ and drift (Massive convention: stamp = start). */
import type { Bar } from '../../src/core/calibration/fit.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { addDays, etToMs } from '../../src/core/time/et.ts';
import { gaussian, seededRandom } from '../../src/sim/day/index-path.ts';

export interface GenOptions {
  from: string;
  to: string;
  seed: number;
  /** Per-minute std dev, index points. */
  sigmaPerMinute: number;
  driftPerMinute?: number;
  start?: number;
  /** Variance multiplier on these dates. */
  eventDays?: ReadonlySet<string>;
  eventVarianceMultiplier?: number;
  /** Fraction of bars dropped at random (index bars have gaps). */
  dropFraction?: number;
}

export function generateBars(o: GenOptions): { bars: Bar[]; days: string[] } {
  const cal = createCalendar();
  const rand = seededRandom(o.seed);
  const z = gaussian(rand);
  const bars: Bar[] = [];
  const days: string[] = [];
  for (let d = o.from; d <= o.to; d = addDays(d, 1)) {
    const s = cal.session(d);
    if (!s.closeEt) continue;
    days.push(d);
    const open = etToMs(d, '09:30');
    const close = etToMs(d, s.closeEt);
    const scale = o.eventDays?.has(d) ? Math.sqrt(o.eventVarianceMultiplier ?? 1) : 1;
    let v = o.start ?? 6000;
    for (let t = open; t < close; t += 60_000) {
      v += (o.driftPerMinute ?? 0) + o.sigmaPerMinute * scale * z();
      if (o.dropFraction && rand() < o.dropFraction) continue;
      bars.push({ t, c: Math.round(v * 100) / 100 });
    }
  }
  return { bars, days };
}

export const toCsv = (bars: readonly Bar[]): string => 'timestamp,close\n' + bars.map((b) => `${b.t},${b.c}`).join('\n') + '\n';
