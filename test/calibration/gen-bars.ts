/** Seeded synthetic minute bars with a known per-minute σ and drift (Massive convention: stamp = start). */
import type { Bar } from '../../src/core/calibration/fit.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
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

export interface HourlyGenOptions {
  /** First date (a weekday or not); sessions are every weekday 09:30–16:00 from here (no holiday table). */
  from: string;
  /** Number of weekday sessions. */
  sessions: number;
  seed: number;
  /**
   * Per-minute σ of the minutes ending in ((HH−1):00, HH:00], keyed by the target `HH:00` (10:00 covers
   * 09:30–10:00). So the true σ(m) of target HH:00 is σ_HH·√m for every m up to 60 (30 at 10:00).
   */
  sigmaPerMinuteByTarget: Readonly<Record<string, number>>;
  driftPerMinute?: number;
  /**
   * MA(1) dependence of the one-minute changes: x_j = σ_j·(e_j + θ·e_{j−1}) / √(1 + θ²) (each change keeps
   * its variance σ_j², lag-1 autocorrelation θ/(1 + θ²)); 0 (default) = independent changes.
   */
  ma1?: number;
}

/** Seeded minute bars (stamp = start) with a U-shaped, per-hour σ; weekday sessions only, any years. */
export function generateHourlyBars(o: HourlyGenOptions): { bars: Bar[]; days: string[] } {
  const rand = seededRandom(o.seed);
  const z = gaussian(rand);
  const sigmaOfMinute = new Float64Array(391);
  for (let j = 1; j <= 390; j++) {
    const hh = 9 + Math.ceil((30 + j) / 60);
    const s = o.sigmaPerMinuteByTarget[`${hh}:00`];
    if (s === undefined) throw new Error(`no σ for target ${hh}:00`);
    sigmaOfMinute[j] = s;
  }
  const bars: Bar[] = [];
  const days: string[] = [];
  let d = o.from;
  while (days.length < o.sessions) {
    if (weekday(d) <= 5) {
      days.push(d);
      const open = etToMs(d, '09:30');
      let v = 6000;
      const theta = o.ma1 ?? 0;
      let prev = theta === 0 ? 0 : z();
      for (let j = 1; j <= 390; j++) {
        const e = z();
        const shock = theta === 0 ? e : (e + theta * prev) / Math.sqrt(1 + theta * theta);
        prev = e;
        v += (o.driftPerMinute ?? 0) + sigmaOfMinute[j]! * shock;
        bars.push({ t: open + (j - 1) * 60_000, c: v }); // the bar starting at j − 1 reports the value at j
      }
    }
    d = addDays(d, 1);
  }
  return { bars, days };
}

/** Weekday sessions 09:30–16:00 (no holiday table), for fits over many synthetic years. */
export const weekdaySession = (d: string) => (weekday(d) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null);
