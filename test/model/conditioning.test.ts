/**
 * The adaptive σ (issue 19): calibrate fits the conditioning from heteroskedastic bars (day-level vol that
 * persists, a burst after a 14:00 release); the live state fed ticks reads the day as the fit did; the
 * forecast, κ and the quote-timing rules follow the conditioned σ; an old file without `conditioning` loads
 * and prices unconditionally; a bad one is refused at the boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heteroBars } from './hetero-bars.ts';
import { fitCalibration, type Bar } from '../../src/core/calibration/fit.ts';
import { calendarSessions } from '../../src/core/calibration/sessions.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { CalibrationParamsSchema, curveFromParams } from '../../src/core/calibration/params.ts';
import { parseCalibration } from '../../src/adapters/calibration/params-file.ts';
import { DayVariance, conditionedVariance, dayConditioner, regimeMinutes, upliftMean, upliftTerms, type DayEvent } from '../../src/core/model/conditioning.ts';
import { buildModelSpec } from '../../src/core/model/model-spec.ts';
import { forecast } from '../../src/core/model/forecast.ts';
import { onRegimeClock, targetMarginPips, newQuoteAllowed, type MarginRules } from '../../src/core/quotes/margin.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { etToMs } from '../../src/core/time/et.ts';

const { session } = calendarSessions(createCalendar());
const config = defaultIndexOps();
const base = heteroBars({ from: '2025-01-06', days: 60, seed: 7, sigma: 1.2 });
const events = new Map<string, { timeEt: string; amplitude: number; decay: number }>();
base.dates.forEach((d, i) => {
  if (i % 8 === 3) events.set(d, { timeEt: '14:00', amplitude: 10, decay: 15 });
});
const gen = heteroBars({ from: '2025-01-06', days: 60, seed: 7, sigma: 1.2, events });
const dayEvents = (d: string): DayEvent[] => (events.has(d) ? [{ tag: 'FOMC', timeEt: '14:00' }] : []);
const fit = (bars: readonly Bar[], more: Record<string, unknown> = {}) =>
  fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, barStamp: 'start', session, dayEvents, dayTags: (d) => dayEvents(d).map((e) => e.tag), kappaCap: 1.8, generatedAtMs: 0, ...more });
const fitted = fit(gen.bars);
/** A reading with the same ratio over the day and the recent past. */
const rd = (logRatio: number, changes: number) => ({ logRatio, changes, logRecent: logRatio, recentChanges: changes });
const cond = fitted.params.conditioning!;

test('calibrate fits the conditioning: the day ratio carries weight, the burst after the release is found, QLIKE improves, the file validates', () => {
  assert.ok(cond, 'a conditioning block');
  assert.equal(cond.realised.days, 60);
  for (const h of cond.realised.horizons) {
    // the generated day's vol is constant within the day: its realised ratio is nearly the whole story
    assert.ok(h.beta > 0.8 && h.beta < 1.2, `β(${h.minutes}) = ${h.beta}`);
  }
  const d = fitted.diagnostics.conditioning!;
  for (const q of d.qlike) assert.ok(q.fitted < q.level_only - 0.1, `QLIKE at ${q.minutes} min: ${q.fitted} vs ${q.level_only}`);
  const fomc = cond.events.FOMC!;
  assert.ok(fomc, 'FOMC uplift kept');
  assert.ok(Math.abs(fomc.amplitude - 10) < 2.5, `amplitude ${fomc.amplitude}`);
  assert.ok(fomc.decay_minutes >= 10 && fomc.decay_minutes <= 20, `decay ${fomc.decay_minutes}`);
  // U-shaped profile: the open and close slots well above midday
  const v = cond.profile.variance;
  assert.ok(v[0]! > 1.5 * v[38]! && v.at(-1)! > 1.5 * v[38]!, 'U-shape');
  assert.equal(CalibrationParamsSchema.safeParse(fitted.params).success, true);
});

test('no conditioning without enough days, without event times the uplift is off, and calibrate can turn it off', () => {
  const few = heteroBars({ from: '2025-01-06', days: 12, seed: 3, sigma: 1 });
  assert.equal(fit(few.bars).params.conditioning, undefined);
  assert.deepEqual(fit(gen.bars, { dayEvents: () => [] }).params.conditioning!.events, {});
  assert.equal(fit(gen.bars, { conditioning: false }).params.conditioning, undefined);
});

test('an old calibration file without conditioning loads and prices unconditionally; a bad conditioning is refused', () => {
  const { conditioning: _, ...old } = fitted.params;
  const loaded = parseCalibration(JSON.stringify(old), 'old.json', 0);
  assert.equal(loaded.params.conditioning, undefined);
  const st = new DayVariance(etToMs('2025-03-03', '09:30'), cond, []);
  const regime = dayConditioner(cond, st, [], etToMs('2025-03-03', '11:00'));
  const spec = buildModelSpec({ calibration: loaded.params, config: config.model, spot: 6000, targetEt: '11:00', regime });
  assert.equal(spec.regime, undefined, 'no fitted conditioning: no conditioner');
  const bad = structuredClone(fitted.params) as Record<string, any>;
  bad.conditioning.realised.horizons = [...bad.conditioning.realised.horizons].reverse();
  assert.throws(() => parseCalibration(JSON.stringify(bad), 'bad.json', 0), /conditioning\.realised\.horizons: horizons must be ascending/);
  const neg = structuredClone(fitted.params) as Record<string, any>;
  neg.conditioning.events.FOMC.decay_minutes = -1;
  assert.throws(() => parseCalibration(JSON.stringify(neg), 'neg.json', 0), /decay_minutes/);
});

test('the live state fed ticks reads the day as the fit does; a hot day scales σ up, a calm day down, toward the calendar early on', () => {
  const day = gen.dates[50]!;
  const open = etToMs(day, '09:30');
  const bars = gen.bars.filter((b) => b.t >= open && b.t < etToMs(day, '16:00'));
  // ticks every 250 ms between the minute values (a feed): the state samples the minute marks
  const st = new DayVariance(open, cond, upliftTerms(cond, dayEvents(day), '09:30'));
  const byMin = new DayVariance(open, cond, upliftTerms(cond, dayEvents(day), '09:30'));
  let prev = bars[0]!.c;
  st.observe(open, prev);
  byMin.observe(open, prev);
  for (const b of bars.slice(0, 120)) {
    for (let t = b.t + 250; t < b.t + 60_000; t += 250) st.observe(t, prev);
    st.observe(b.t + 60_000, b.c);
    byMin.observe(b.t + 60_000, b.c);
    prev = b.c;
  }
  assert.equal(st.changes, 120);
  assert.ok(Math.abs(st.logRatio() - byMin.logRatio()) < 1e-12);
  // the ratio is the day's level² (the generator's truth), up to sampling noise over 120 minutes
  const truth = Math.log(gen.dayVol.get(day)! ** 2);
  assert.ok(Math.abs(st.logRatio() - truth) < 0.35, `ln ratio ${st.logRatio()} vs ${truth}`);
  const hot = conditionedVariance(cond, [], rd(Math.log(4), 120), 120, 10);
  const calm = conditionedVariance(cond, [], rd(Math.log(0.25), 120), 120, 10);
  const early = conditionedVariance(cond, [], rd(Math.log(4), 1), 1, 10);
  assert.ok(hot.factor > 3 && calm.factor < 0.35, `${hot.factor} ${calm.factor}`);
  assert.ok(early.factor < hot.factor && early.weight < hot.weight, 'fewer minutes observed: less weight');
});

test('the forecast uses the conditioned σ (κ = 1: the uplift replaces the whole-day multiplier); model.conditioning false is the calendar curve', () => {
  const day = gen.dates.find((d) => events.has(d))!;
  const open = etToMs(day, '09:30');
  const target = etToMs(day, '15:00');
  const terms = upliftTerms(cond, dayEvents(day), '09:30');
  const st = new DayVariance(open, cond, terms);
  for (const b of gen.bars) if (b.t >= open && b.t + 60_000 <= target - 50 * 60_000) st.observe(b.t + 60_000, b.c);
  const regime = dayConditioner(cond, st, terms, target);
  const spec = buildModelSpec({ calibration: fitted.params, config: config.model, spot: 6000, targetEt: '15:00', dayTags: ['FOMC'], regime });
  assert.equal(spec.kappa, 1);
  const f = forecast(6000, 50, spec); // 14:10: ten minutes after the release
  const curve = curveFromParams(fitted.params, '15:00');
  assert.equal(f.sigmaCalendar, curve.sigmaAt(50));
  assert.ok(f.regime && f.regime.uplift > 1.5, `uplift ${f.regime?.uplift}`);
  assert.ok(Math.abs(f.sigmaM - curve.sigmaAt(50) * Math.sqrt(f.regime.factor)) < 1e-9);
  const off = buildModelSpec({ calibration: fitted.params, config: { ...config.model, conditioning: false }, spot: 6000, targetEt: '15:00', dayTags: ['FOMC'], regime });
  assert.equal(off.regime, undefined);
  assert.ok(off.kappa > 1, 'unconditional: the event κ as before');
});

test('the margin and the final seconds on the conditioned σ: a burst that just began widens both; a uniform regime leaves them', () => {
  const rules: MarginRules = { margin1mPips: 100, marginMaxPips: 0, bookAgeGraceMs: 0, bookAgePipsPerS: 0, quoteAgeGraceMs: 0, quoteAgePipsPerMin: 0, finalNoNewQuoteMs: 10_000, finalMaxFeedAgeMs: 300 };
  const terms = [{ at: 270, amplitude: 10, decay: 15 }];
  // at 14:00 sharp with 10 minutes to go: the next minute is hotter than the next ten on average
  const v = conditionedVariance(cond, terms, rd(0, 200), 270, 10);
  assert.ok(v.factorNow > v.factor);
  const eff = regimeMinutes(10, v);
  assert.ok(eff < 10);
  const r = onRegimeClock(rules, 10, eff);
  assert.ok(Math.abs(targetMarginPips(r, 10) - 100 * Math.sqrt(1 / eff)) < 1e-9);
  assert.ok(targetMarginPips(r, 10) > targetMarginPips(rules, 10));
  // the final-seconds window starts where m_eff reaches it
  const m = (10_000 / 60_000) * (10 / eff) * 0.99;
  assert.equal(newQuoteAllowed(rules, m, null), true);
  assert.equal(newQuoteAllowed(onRegimeClock(rules, m, (m * eff) / 10), m, null), false);
  assert.equal(onRegimeClock(rules, 10, 10), rules, 'same clock: the same rules');
  // a uniform regime (the same multiplier now and ahead) leaves the rules as they are
  const flat = conditionedVariance({ ...cond, realised: { ...cond.realised, horizons: cond.realised.horizons.map((h) => ({ ...h, alpha: 0, beta: 1, gamma: 0 })) } }, [], rd(Math.log(3), 300), 300, 10);
  assert.ok(Math.abs(regimeMinutes(10, flat) - 10) < 1e-9);
  assert.ok(Math.abs(upliftMean(terms, 270, 280) - (1 + (10 * 15 * (1 - Math.exp(-10 / 15))) / 10)) < 1e-12);
});

test('price --day-bars shows the conditioned σ and what it was conditioned on; without day bars it says why not', async () => {
  const { cli, tempHome } = await import('../helpers/cli.ts');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { writeCalibration } = await import('../../src/adapters/calibration/params-file.ts');
  const { formatEt } = await import('../../src/core/time/et.ts');
  const REPO = path.resolve(import.meta.dirname, '../..');
  const h = tempHome();
  fs.mkdirSync(path.join(h, 'configs'));
  fs.copyFileSync(path.join(REPO, 'configs/fees.json'), path.join(h, 'configs/fees.json'));
  const calib = path.join(h, 'calib.json');
  writeCalibration(calib, { ...fitted.params, symbol: 'I:SPX', horizon: 'hourly' });
  // the morning of 2026-11-20 at three times the profile's one-minute σ: ratio ≈ 9
  const open = etToMs('2026-11-20', '09:30');
  let v = 6800;
  const lines = ['timestamp,close'];
  for (let k = 0; k < 15; k++) {
    v += (k % 2 ? 1 : -1) * 3 * Math.sqrt(cond.profile.variance[Math.floor(k / 5)]!);
    lines.push(`${formatEt(open + k * 60_000)},${v.toFixed(2)}`);
  }
  fs.writeFileSync(path.join(h, 'day.csv'), lines.join('\n') + '\n');
  const fixture = path.join(REPO, 'fixtures/markets/kxinxu-26nov20h1000.event.json');
  const args = ['price', '--markets', fixture, '--spot', '6801.25', '--now', '2026-11-20T09:45:00-05:00', '--calibration', calib];
  const r = await cli([...args, '--day-bars', 'day.csv', '--json'], { home: h });
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout).events[0].model;
  assert.equal(m.conditioning.realised_minutes, 14);
  assert.ok(Math.abs(m.conditioning.realised_ratio - 9) < 0.5, `ratio ${m.conditioning.realised_ratio}`);
  assert.ok(m.conditioning.sigma_conditioned > 1.5 * m.conditioning.sigma_calendar);
  assert.equal(m.conditioning.event_uplift, 1);
  assert.ok(Math.abs(m.sigma_m - m.conditioning.sigma_calendar * Math.sqrt(m.conditioning.factor)) < 1e-9);
  const text = await cli([...args, '--day-bars', 'day.csv'], { home: h });
  assert.match(text.stdout, /σ\(m\)=\d+\.\d{3} conditioned \(calendar \d+\.\d{3}, ×\d\.\d{3}\): realised so far \d\.\d{3}× the profile over 14 min, weight/);
  const plain = await cli(args, { home: h });
  assert.match(plain.stdout, /σ\(m\)=\d+\.\d{3} calendar \(not conditioned: no day bars \(--day-bars FILE\)\)/);
});

test('quoteLadder holds quotes to the margin on the conditioned σ: a conditioner whose next minute is hotter raises the bar by √(f(1)/f(m))', async () => {
  const { quoteLadder } = await import('../../src/core/quotes/ladder.ts');
  const { thresholdLadder } = await import('./ladders.ts');
  const { DefaultCurve } = await import('../../src/core/model/curve.ts');
  const ladder = thresholdLadder(6750, 25, 5);
  const close = ladder[0]!.closeTimeMs;
  const rules = { margin1mPips: 100, marginMaxPips: 10_000, bookAgeGraceMs: 0, bookAgePipsPerS: 0, quoteAgeGraceMs: 0, quoteAgePipsPerMin: 0, finalNoNewQuoteMs: 0, finalMaxFeedAgeMs: 0, keepHysteresisPips: 50, minQuoteLifeMs: 0, keepFrontOfQueue: false, fillProbHorizonMs: 0, tradeRateWindowMs: 300_000, binKeepPips: 0 };
  const base = { curve: new DefaultCurve(6800, 0.18), sigmaFloor: 0, kappa: 1, dist: { kind: 'normal' as const } };
  const hot = { at: (m: number) => ({ factor: 2, ratio: 2, changes: 100, weight: 1, recentRatio: 2, recentWeight: 0, alpha: 0, uplift: 1, factorNow: m === 1 ? 2 : 8 }) };
  const input = {
    event: { eventTicker: ladder[0]!.eventTicker, series: 'INXU' as const, closeTimeMs: close, markets: ladder },
    books: new Map(ladder.map((m) => [m.ticker, { ticker: m.ticker, yesBids: [{ price: 4000, size: 500 }], noBids: [{ price: 4000, size: 500 }], tsMs: close - 60_000 }])),
    spot: 6800,
    nowMs: close - 4 * 60_000,
    fees: { feeType: 'quadratic', multiplier: 1 },
    windowId: 'w',
    policy: { minEvPips: 500, evHysteresisPips: 50, maxBinsPerSeries: 2, contracts: 1, maxContractsPerMarket: 5, maxContractsPerWindow: 20, rules },
    exposure: { lossBudgetPips: 1e7 },
    conditions: { feedAgeMs: 100 },
  };
  const calendar = quoteLadder({ ...input, model: base });
  const regime = quoteLadder({ ...input, model: { ...base, regime: hot } });
  assert.ok(calendar.selection.quotes.length > 0 && regime.selection.quotes.length > 0);
  for (const q of calendar.selection.quotes) assert.ok(Math.abs(q.barPips! - (500 + 100 * Math.sqrt(1 / 4))) < 1e-9);
  // m_eff = 4·2/8 = 1 minute: the margin of one minute to go
  for (const q of regime.selection.quotes) assert.ok(Math.abs(q.barPips! - (500 + 100)) < 1e-9, `bar ${q.barPips}`);
  assert.ok(Math.abs(regime.forecast.sigmaM - regime.forecast.sigmaCalendar * Math.SQRT2) < 1e-9);
});
