import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCalibration, CalibrationFitError, type Bar, type SessionHours } from '../../src/core/calibration/fit.ts';
import { CalibrationParamsSchema, curveFromParams } from '../../src/core/calibration/params.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { generateBars } from './gen-bars.ts';

const cal = createCalendar();
const session = (d: string): SessionHours | null => {
  const s = cal.session(d);
  return s.closeEt ? { openEt: '09:30', closeEt: s.closeEt } : null;
};
const GEN_AT = Date.parse('2026-08-01T00:00:00Z');

test('hourly fit recovers a known σ√m, drift, residual and event κ from seeded bars (with gaps, across DST)', () => {
  const events = new Set(['2026-02-11', '2026-03-11', '2026-04-10', '2026-05-12', '2026-06-10', '2026-07-14']);
  for (const d of ['2026-02-18', '2026-03-18', '2026-04-29', '2026-06-17', '2026-07-29', '2026-02-25', '2026-03-25', '2026-04-22', '2026-05-20', '2026-06-24', '2026-07-22']) events.add(d);
  const s = 1.2;
  const mu = 0.05;
  const { bars, days } = generateBars({ from: '2026-02-02', to: '2026-07-31', seed: 42, sigmaPerMinute: s, driftPerMinute: mu, eventDays: events, eventVarianceMultiplier: 1.5, dropFraction: 0.03 });
  const { params, diagnostics } = fitCalibration({
    symbol: 'I:SPX',
    horizon: 'hourly',
    bars,
    session,
    dayTags: (d) => (events.has(d) ? ['CPI'] : []),
    kappaCap: 1.8,
    generatedAtMs: GEN_AT,
  });
  assert.ok(CalibrationParamsSchema.safeParse(params).success);
  assert.equal(params.days, days.length);
  assert.equal(diagnostics.taggedDays, events.size);
  assert.equal(Object.keys(params.minutes_to_target).length, 60);
  assert.ok(params.sample_count > days.length * 6, `samples ${params.sample_count}`);
  for (const m of [1, 5, 15, 30, 45, 60]) {
    const got = params.minutes_to_target[String(m)]!;
    const want = s * Math.sqrt(m);
    assert.ok(Math.abs(got.sigma / want - 1) < 0.08, `σ(${m}) = ${got.sigma}, want ${want}`);
    const n = diagnostics.samplesPerMinute[String(m)]!;
    const se = want / Math.sqrt(n);
    assert.ok(Math.abs(got.drift - mu * m) < 4 * se, `drift(${m}) = ${got.drift}, want ${mu * m} ± ${4 * se}`);
    // one drift rate per curve, from the longest horizon (60): drift(m) = m·rate and drift_se(m) = m·se, with
    // se = std(Δ_60)/(60·√n) — the direct std of Δ_60, which the diagnostics give as a ratio to σ(60); the
    // stored rate is shrunk toward zero, never past it
    const top = params.minutes_to_target['60']!;
    const check = diagnostics.sigma.directCheck.pooled!;
    assert.equal(check.m, 60);
    const seRate = (top.sigma * check.ratio) / (60 * Math.sqrt(diagnostics.samplesPerMinute['60']!));
    assert.ok(Math.abs(got.drift_se! - m * seRate) < 1e-6 + 1e-5 * m * seRate, `drift_se(${m}) = ${got.drift_se} vs ${m * seRate}`);
    assert.ok(Math.abs(got.drift - (m * top.drift) / 60) < 1e-5 * m, `drift(${m}) = ${got.drift} is not m × the rate`);
    assert.ok(got.drift >= 0 && got.drift <= mu * m + 4 * se);
  }
  // residual_std is the settlement-print noise: without official closes 1 bp of the median target value, never σ(1)
  assert.equal(diagnostics.residual.source, 'bp_of_level');
  assert.ok(params.residual_std > 0 && params.residual_std < 0.6 * s, `residual ${params.residual_std}`);
  assert.ok(Math.abs(params.residual_std - (diagnostics.residual as { level: number }).level * 1e-4) < 1e-6);
  assert.deepEqual(params.event_tail.tags, ['CPI']);
  assert.ok(Math.abs(params.event_tail.kappa - 1.5) < 0.35, `kappa ${params.event_tail.kappa}`);
  assert.equal(params.generated_at, '2026-08-01T00:00:00.000Z');
  // the curve built from the file interpolates the same numbers
  assert.ok(Math.abs(curveFromParams(params).sigmaAt(30) - params.minutes_to_target['30']!.sigma) < 1e-12);
});

test('κ is 1 without tagged days and capped at kappa_cap', () => {
  const { bars } = generateBars({ from: '2026-03-02', to: '2026-03-31', seed: 7, sigmaPerMinute: 1, eventDays: new Set(['2026-03-10', '2026-03-17']), eventVarianceMultiplier: 6 });
  const base = { symbol: 'I:NDX' as const, horizon: 'hourly' as const, bars, session, generatedAtMs: GEN_AT, kappaCap: 1.8 };
  assert.equal(fitCalibration(base).params.event_tail.kappa, 1);
  assert.deepEqual(fitCalibration(base).params.event_tail.tags, []);
  const tagged = fitCalibration({ ...base, dayTags: (d) => (d === '2026-03-10' || d === '2026-03-17' ? ['FOMC'] : []) });
  assert.equal(tagged.params.event_tail.kappa, 1.8);
});

test('close horizon: targets the session close, 13:00 on an early-close day', () => {
  // deterministic paths: value = base + minutes since the open, so S_T − S_{T−m} = m exactly
  const bars: Bar[] = [];
  const addDay = (d: string, closeEt: string) => {
    const open = etToMs(d, '09:30');
    const close = etToMs(d, closeEt);
    for (let t = open; t < close; t += 60_000) bars.push({ t, c: 5000 + (t - open) / 60_000 + 1 });
  };
  addDay('2026-11-25', '16:00');
  addDay('2026-11-27', '13:00'); // day after Thanksgiving: early close
  addDay('2026-11-30', '16:00');
  const { params } = fitCalibration({ symbol: 'I:SPX', horizon: 'close', bars, session, kappaCap: 1.8, generatedAtMs: GEN_AT });
  assert.equal(params.sample_count, 3);
  assert.equal(params.days, 3);
  assert.deepEqual(params.minutes_to_target['1'], { sigma: 0, drift: 1, drift_se: 0 });
  assert.deepEqual(params.minutes_to_target['210'], { sigma: 0, drift: 210, drift_se: 0 });
  // beyond 210 minutes only the two regular days remain (still ≥ 2 samples)
  assert.deepEqual(params.minutes_to_target['389'], { sigma: 0, drift: 389, drift_se: 0 });
  assert.equal(params.by_target, undefined); // the close horizon is pooled only
  // m = 390 would need a value at 09:30 itself: the first bar (stamped 09:30) reports 09:31
  assert.equal(params.minutes_to_target['390'], undefined);
  assert.equal(Object.keys(params.minutes_to_target).length, 389);
});

test('bars stamped at the window end, pre-open prints ignored, and no-sample input is a clear error', () => {
  const open = etToMs('2026-03-02', '09:30');
  const bars: Bar[] = [{ t: open - 30 * 60_000, c: 1 }]; // pre-market print must not be used
  for (let k = 1; k <= 390; k++) bars.push({ t: open + k * 60_000, c: 6000 + 2 * k });
  const open2 = etToMs('2026-03-03', '09:30');
  for (let k = 1; k <= 390; k++) bars.push({ t: open2 + k * 60_000, c: 6100 + 2 * k });
  const { params } = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, barStamp: 'end', session, kappaCap: 1.8, generatedAtMs: GEN_AT });
  assert.deepEqual(params.minutes_to_target['30'], { sigma: 0, drift: 60, drift_se: 0 });
  assert.throws(
    () => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: [{ t: etToMs('2026-03-07', '10:00'), c: 1 }], session, kappaCap: 1.8, generatedAtMs: GEN_AT }),
    (e: unknown) => e instanceof CalibrationFitError && /no usable samples/.test((e as Error).message),
  );
  assert.throws(() => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: [bars[2]!, bars[1]!], session, kappaCap: 1.8, generatedAtMs: GEN_AT }), /ascending/);
});

test('residual_std fitted from official closes: the rms gap to the last minute bar; too few closes → the bp default; given points win', () => {
  const { bars, days } = generateBars({ from: '2026-02-02', to: '2026-07-31', seed: 43, sigmaPerMinute: 1.2 });
  // the value at the close is the close of the bar stamped 15:59 (13:00 on early closes): an official close
  // that differs from it by N(0, 0.5²)
  const lastValue = new Map<string, number>();
  for (const b of bars) lastValue.set(new Date(b.t + 60_000).toISOString().slice(0, 10), b.c); // (UTC date = ET date in session hours)
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const closes = new Map(days.map((d) => [d, lastValue.get(d)! + 0.5 * normal()]));
  const base = { symbol: 'I:SPX' as const, horizon: 'close' as const, bars, session, kappaCap: 1.8, generatedAtMs: GEN_AT };
  const fitted = fitCalibration({ ...base, closes });
  assert.equal(fitted.diagnostics.residual.source, 'fitted');
  const r = fitted.diagnostics.residual as { days: number; rms: number; mean: number };
  assert.equal(r.days, days.length);
  assert.ok(Math.abs(fitted.params.residual_std / 0.5 - 1) < 0.15, `residual ${fitted.params.residual_std} (${days.length} days)`);
  assert.equal(fitted.params.residual_std, r.rms);
  // the hourly file carries the same fitted residual (its 16:00 target settles on the close too)
  assert.equal(fitCalibration({ ...base, horizon: 'hourly', closes }).params.residual_std, fitted.params.residual_std);
  // closes on fewer than --min-close-days days: the conservative default, and the diagnostics say why
  const few = fitCalibration({ ...base, closes: new Map([...closes].slice(0, 5)) });
  assert.deepEqual({ ...few.diagnostics.residual, level: 0, points: 0 }, { source: 'bp_of_level', bp: 1, level: 0, points: 0, close_days: 5 });
  assert.ok(few.params.residual_std >= 0.5, `default ${few.params.residual_std} points at SPX ~6000`);
  assert.equal(fitCalibration({ ...base, closes: new Map([...closes].slice(0, 5)), minCloseSamples: 5 }).diagnostics.residual.source, 'fitted');
  // a close print with no bar near the close that day does not count
  const thin = bars.filter((b) => !(new Date(b.t).toISOString().startsWith(days[0]!) && b.t >= etToMs(days[0]!, '15:50')));
  assert.equal((fitCalibration({ ...base, bars: thin, closes }).diagnostics.residual as { days: number }).days, days.length - 1);
  // --residual-std POINTS wins over the closes
  assert.deepEqual(fitCalibration({ ...base, closes, residual: { points: 0.07 } }).diagnostics.residual, { source: 'given', points: 0.07 });
});
