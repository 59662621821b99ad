/**
 * `kalshi-alpha price` end to end on hand-designed fixture ladders (fixtures/markets/), checked against
 * numbers computed independently here (own erf-based normal CDF, own fee arithmetic).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import { refNormalCdf } from '../model/ladders.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const U_FIXTURE = path.join(REPO, 'fixtures/markets/kxinxu-26nov20h1000.event.json');
const R_FIXTURE = path.join(REPO, 'fixtures/markets/kxinx-26nov20h1600.markets.json');
const NOW = '2026-11-20T09:45:00-05:00'; // 15 minutes before the 10:00 target

function home(withFees = true): string {
  const h = tempHome();
  if (withFees) {
    fs.mkdirSync(path.join(h, 'configs'));
    fs.copyFileSync(path.join(REPO, 'configs/fees.json'), path.join(h, 'configs/fees.json'));
  }
  return h;
}

/**
 * The default curve computed independently (issue 23): annual vol 0.18 through the U-shaped profile
 * u(f) = 0.8 + 0.8(2f − 1)², variance ∝ u², normalised to mean 1 over the session, integrated numerically over
 * the m minutes before the target; the default print noise (1 bp of spot) in quadrature.
 */
function defaultSigmaEff(spot: number, targetEt: string, m: number): number {
  const u2 = (f: number) => (0.8 + 0.8 * (2 * f - 1) ** 2) ** 2;
  const N = 200_000;
  let mean = 0;
  for (let i = 0; i < N; i++) mean += u2((i + 0.5) / N) / N;
  const [hh, mm] = targetEt.split(':').map(Number);
  const f2 = (hh! * 60 + mm! - 570) / 390;
  const f1 = f2 - m / 390;
  let integral = 0;
  for (let i = 0; i < N; i++) integral += (u2(f1 + ((i + 0.5) / N) * (f2 - f1)) / mean) * ((f2 - f1) / N);
  return Math.hypot(spot * 0.18 * Math.sqrt((390 * integral) / (252 * 390)), spot * 1e-4);
}

interface Side { price: string | null; ev_usd: number | null; fee_usd: number | null; quoted: boolean; reason?: string }
interface MarketOut { ticker: string; condition: string; p_yes: number; yes_bid: string | null; yes_ask: string | null; buy: Side; sell: Side }

test('threshold ladder with the default curve: p_yes, EV and quotes match independent computation', async () => {
  const h = home();
  const r = await cli(['price', '--markets', U_FIXTURE, '--spot', '6801.25', '--now', NOW, '--json'], { home: h });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.warnings, ['calibration_missing:INXU:hourly: using the default curve (annual vol 0.18)']);
  const ev = out.events[0];
  assert.equal(ev.event_ticker, 'KXINXU-26NOV20H1000');
  assert.equal(ev.window, '2026-11-20/hourly-1000');
  assert.equal(ev.minutes_to_target, 15);
  assert.deepEqual(ev.fees, { fee_type: 'quadratic', fee_multiplier: 1, source: 'configs/fees.json' });
  // default curve: 0.18 annual through the U-shaped intraday profile over 09:45–10:00, the default print noise in quadrature
  const sigma = defaultSigmaEff(6801.25, '10:00', 15);
  assert.ok(Math.abs(ev.model.sigma_eff - sigma) < 1e-6 * sigma, `σ_eff ${ev.model.sigma_eff} vs ${sigma}`);
  const markets: MarketOut[] = ev.markets;
  assert.deepEqual(markets.map((m) => m.condition), ['≥ 6750', '≥ 6775', '≥ 6800', '≥ 6825', '≥ 6850', '≥ 6875', '≥ 6900']);
  for (const m of markets) {
    const k = Number(m.condition.slice(2));
    const expected = 1 - refNormalCdf((k - 0.005 - 6801.25) / sigma);
    assert.ok(Math.abs(m.p_yes - expected) < 1e-7, `${m.ticker}: ${m.p_yes} vs ${expected}`);
    // quadratic fee type: makers pay nothing, EV = p − q (buy) and q − p (sell)
    if (m.buy.price !== null) assert.ok(Math.abs(m.buy.ev_usd! - (m.p_yes - Number(m.buy.price))) < 1e-6);
    if (m.sell.price !== null) assert.ok(Math.abs(m.sell.ev_usd! - (Number(m.sell.price) - m.p_yes)) < 1e-6);
    if (m.yes_bid && m.buy.price) assert.ok(Number(m.buy.price) < Number(m.yes_ask ?? 2));
  }
  // T6800: bid 0.62 / ask 0.70, p ≈ 0.533 → no edge buying; selling at 0.69 (one tick inside) clears $0.05 but
  // two markets with more edge take the max_bins_per_series = 2 slots (best EV first)
  const t6800 = markets[2]!;
  assert.equal(t6800.yes_bid, '0.6200');
  assert.equal(t6800.sell.price, '0.6900');
  assert.equal(t6800.sell.quoted, false);
  assert.equal(t6800.sell.reason, 'max_bins_per_series');
  assert.equal(t6800.buy.reason, 'ev_below_min');
  assert.deepEqual(
    ev.quotes.map((q: { market: string; side: string; price: string }) => [q.market, q.side, q.price]),
    [['KXINXU-26NOV20H1000-T6825', 'sell', '0.4400'], ['KXINXU-26NOV20H1000-T6850', 'sell', '0.2100']],
  );
  // no more than max_bins_per_series = 2 markets, best EV first, deterministic ids
  const quoted = new Set(ev.quotes.map((q: { market: string }) => q.market));
  assert.ok(quoted.size <= 2 && ev.quotes.length >= 1);
  const evs = ev.quotes.map((q: { ev_after_fees_cents: number }) => q.ev_after_fees_cents);
  assert.deepEqual(evs, [...evs].sort((a: number, b: number) => b - a));
  for (const q of ev.quotes) {
    assert.match(q.client_order_id, /^ka-[0-9a-f]{16}$/);
    assert.ok(q.ev_after_fees_cents >= 5);
    assert.equal(q.size, 1);
  }
  const again = JSON.parse((await cli(['price', '--markets', U_FIXTURE, '--spot', '6801.25', '--now', NOW, '--json'], { home: h })).stdout);
  assert.deepEqual(again.events[0].quotes, ev.quotes);
});

test('range ladder: each bin priced from its own condition, bins + tails sum to 1; text output', async () => {
  const h = home();
  const r = await cli(['price', '--markets', R_FIXTURE, '--spot', '6742', '--now', '2026-11-20T15:30:00-05:00', '--json'], { home: h });
  assert.equal(r.code, 0, r.stderr);
  const ev = JSON.parse(r.stdout).events[0];
  assert.equal(ev.window, '2026-11-20/close-1600');
  assert.equal(ev.minutes_to_target, 30);
  const markets: MarketOut[] = ev.markets;
  assert.deepEqual(markets.map((m) => m.condition), [
    '< 6675', '6675–6699.9999', '6700–6724.9999', '6725–6749.9999', '6750–6774.9999', '6775–6799.9999', '6800–6824.9999', '> 6824.9999',
  ]);
  const sum = markets.reduce((s, m) => s + m.p_yes, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12, `sum ${sum}`);
  const sigma = defaultSigmaEff(6742, '16:00', 30);
  const cdf = (x: number) => refNormalCdf((x - 6742) / sigma);
  assert.ok(Math.abs(markets[3]!.p_yes - (cdf(6749.995) - cdf(6724.995))) < 1e-7);

  const text = await cli(['price', '--markets', R_FIXTURE, '--spot', '6742', '--now', '2026-11-20T15:30:00-05:00', '--dist', 't'], { home: h });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /KXINX-26NOV20H1600 \(INX\) target 2026-11-20T16:00:00-05:00 {2}m=30\.00/);
  assert.match(text.stdout, /dist=t\(5\)/);
  assert.match(text.stdout, /6725–6749\.9999/);
  assert.match(text.stdout, /quote: (buy|sell) 1 KXINX-26NOV20H1600-/);
  assert.match(text.stderr, /warning: calibration_missing:INX:close/);
});

test('calibration file, event-day κ and an unsupported fee type', async () => {
  const h = home();
  const calib = {
    symbol: 'I:SPX', horizon: 'hourly', generated_at: '2026-11-18T22:00:00Z', sample_count: 500, days: 80,
    minutes_to_target: { '5': { sigma: 3, drift: 0.1 }, '30': { sigma: 7, drift: 0.3 } }, residual_std: 0.9, event_tail: { tags: ['CPI'], kappa: 1.5 },
  };
  fs.mkdirSync(path.join(h, 'data/proc/calib/index/spx/hourly'), { recursive: true });
  fs.writeFileSync(path.join(h, 'data/proc/calib/index/spx/hourly/params.json'), JSON.stringify(calib));
  fs.writeFileSync(path.join(h, 'configs/events.yaml'), 'days:\n  - date: 2026-11-20\n    tags: [cpi]\n');
  const r = await cli(['price', '--markets', U_FIXTURE, '--spot', '6801.25', '--now', NOW, '--json'], { home: h });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // σ(1) = 3/√5 ≈ 1.34 here: a residual of 0.9 looks like a 1-minute σ (an old file), and price says so
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0], /params\.json: residual_std 0\.9 is the size of the 1-minute σ, not a settlement-print noise: the final minute cannot shrink; re-run calibrate$/);
  const model = out.events[0].model;
  // m = 15: σ² = 9 + (10/25)·(49 − 9) = 25 → σ 5; residual 0.9 in quadrature; drift 0.1 + 0.4·0.2 = 0.18;
  // κ 1.5 on the CPI day; no by_target in the file: the pooled curve serves the 10:00 target
  assert.equal(model.curve, 'calibrated');
  assert.equal(model.horizon, 'hourly');
  assert.equal(model.target_et, '10:00');
  assert.equal(model.curve_target, 'pooled');
  assert.ok(Math.abs(model.sigma_m - 5) < 1e-12);
  assert.equal(model.residual_std, 0.9);
  assert.ok(Math.abs(model.sigma_eff - Math.sqrt(25.81)) < 1e-12);
  assert.ok(Math.abs(model.center - 6801.43) < 1e-9);
  assert.equal(model.kappa, 1.5);
  assert.deepEqual(model.event_tags, ['CPI']);
  assert.ok(Math.abs(model.scale - Math.sqrt(25.81 * 1.5)) < 1e-12);
  const p = out.events[0].markets[2].p_yes;
  assert.ok(Math.abs(p - (1 - refNormalCdf((6799.995 - 6801.43) / model.scale))) < 1e-12);

  fs.writeFileSync(path.join(h, 'configs/fees.json'), JSON.stringify({ series: { INXU: [{ from: '2026-01-01T00:00:00Z', fee_type: 'flat', fee_multiplier: 1 }] } }));
  const flat = JSON.parse((await cli(['price', '--markets', U_FIXTURE, '--spot', '6801.25', '--now', NOW, '--json'], { home: h })).stdout);
  assert.deepEqual(flat.events[0].quotes, []);
  assert.equal(flat.events[0].markets[0].skipped, 'fee_type_unsupported:flat');
});

test('price: bad input exits 2 with a one-line reason', async () => {
  const h = home();
  fs.writeFileSync(path.join(h, 'bad.json'), JSON.stringify({ markets: [{ ticker: 'KXINXU-X-T1', event_ticker: 'KXINXU-X', open_time: 'a', close_time: 'b', status: 'active' }] }));
  fs.writeFileSync(path.join(h, 'calib.json'), '{"symbol":"I:SPX"}');
  const cases: Array<[string[], RegExp]> = [
    [['price', '--spot', '1'], /exactly one of --markets FILE or --event TICKER/],
    [['price', '--markets', 'nope.json', '--spot', '1'], /nope\.json: cannot read \(ENOENT\)/],
    [['price', '--markets', 'bad.json', '--spot', '1'], /bad\.json: markets\.0\.price_ranges: /],
    [['price', '--markets', U_FIXTURE, '--spot', '-3'], /expected a positive index value/],
    [['price', '--markets', U_FIXTURE, '--spot', '6800', '--now', 'yesterday'], /--now: invalid time/],
    [['price', '--markets', U_FIXTURE, '--spot', '6800', '--dist', 'cauchy'], /expected normal or t/],
    [['price', '--markets', U_FIXTURE, '--spot', '6800', '--now', NOW, '--calibration', 'calib.json'], /calib\.json: horizon: /],
    [['price', '--markets', U_FIXTURE, '--now', NOW], /give --spot X, or set POLYGON_API_KEY/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, { home: h });
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true);
  }
});

test('price without --spot reads the index from the Massive REST snapshot (simulator)', async () => {
  const KEY = 'price-sim-key-0123456789';
  const at = Date.parse('2026-11-20T14:45:00Z');
  const clock = new VirtualClock(at);
  const sim = await startMassiveSim({ clock, seed: 9, apiKey: KEY });
  try {
    const r = await cli(['price', '--markets', U_FIXTURE, '--now', NOW, '--json'], { home: home(), env: { MASSIVE_REST_BASE: sim.restUrl, MASSIVE_API_KEY: KEY }, clock });
    assert.equal(r.code, 0, r.stderr);
    const spot = JSON.parse(r.stdout).events[0].spot;
    assert.equal(spot, sim.valueAt('I:SPX', Math.floor(at / 1000) * 1000));
  } finally {
    await sim.close();
    clock.dispose();
  }
});

test('price --event fetches the event and its series fees from Kalshi REST (simulator, signed requests)', async () => {
  const { startRig, testKeys, KEY_ID } = await import('../kalshi/helpers.ts');
  const rig = await startRig();
  try {
    const h = home(false);
    fs.writeFileSync(path.join(h, 'kalshi.pem'), testKeys().privatePem, { mode: 0o600 });
    const events = await rig.rest.listEvents({ series_ticker: 'KXINXU' });
    const ticker = events.map((e) => e.event_ticker).sort()[0]!;
    const env = { KALSHI_API_BASE: rig.sim.restBase, KALSHI_API_KEY_ID: KEY_ID, KALSHI_PRIVATE_KEY_PEM_PATH: 'kalshi.pem' };
    const r = await cli(['price', '--event', ticker, '--spot', '6800', '--json'], { home: h, env, clock: rig.clock });
    assert.equal(r.code, 0, r.stderr);
    const ev = JSON.parse(r.stdout).events[0];
    assert.equal(ev.event_ticker, ticker);
    assert.equal(ev.fees.source, 'event');
    assert.ok(ev.markets.length > 0);
    assert.ok(ev.markets.every((m: MarketOut) => m.p_yes >= 0 && m.p_yes <= 1));
    const missing = await cli(['price', '--event', 'KXINXU-99JAN01H1000', '--spot', '6800'], { home: h, env, clock: rig.clock });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404|not found/i);
  } finally {
    await rig.close();
    rig.clock.dispose();
  }
});

/** A calibration whose curves are exactly σ(m) = σ1·√m (m = 1…60), zero drift. */
function sqrtCurve(sigma1: number): Record<string, { sigma: number; drift: number; drift_se: number }> {
  return Object.fromEntries(Array.from({ length: 60 }, (_, i) => [String(i + 1), { sigma: sigma1 * Math.sqrt(i + 1), drift: 0, drift_se: 0 }]));
}

test('final seconds: 10 s before the target, spot 2 points above the strike, σ(1) = 3 → the normal answer with σ ∝ √m', async () => {
  const h = home();
  // by_target serves the event's own hour; the pooled curve (σ(1) = 5) must not be used for 10:00 or 16:00
  const calib = {
    symbol: 'I:SPX', horizon: 'hourly', generated_at: '2026-11-18T22:00:00Z', sample_count: 4200, days: 600,
    minutes_to_target: sqrtCurve(5),
    by_target: { '10:00': { sample_count: 600, minutes_to_target: sqrtCurve(3) }, '16:00': { sample_count: 600, minutes_to_target: sqrtCurve(3) } },
    residual_std: 0.1, event_tail: { tags: [], kappa: 1 },
  };
  fs.mkdirSync(path.join(h, 'data/proc/calib/index/spx/hourly'), { recursive: true });
  fs.writeFileSync(path.join(h, 'data/proc/calib/index/spx/hourly/params.json'), JSON.stringify(calib));
  const sigma = 3 * Math.sqrt(10 / 60); // σ(m) = σ(1)·√m at m = 1/6
  const truth = refNormalCdf(2 / sigma); // P(S_T ≥ K) with S_now = K + 2, no drift: ≈ 0.9488

  const r = await cli(['price', '--markets', U_FIXTURE, '--spot', '6802', '--now', '2026-11-20T09:59:50-05:00', '--json'], { home: h });
  assert.equal(r.code, 0, r.stderr);
  const ev = JSON.parse(r.stdout).events[0];
  assert.ok(Math.abs(ev.minutes_to_target - 1 / 6) < 1e-3);
  assert.deepEqual([ev.model.horizon, ev.model.target_et, ev.model.curve_target], ['hourly', '10:00', '10:00']);
  assert.ok(Math.abs(ev.model.sigma_m - sigma) < 1e-9);
  const p = ev.markets.find((m: MarketOut) => m.condition === '≥ 6800').p_yes;
  assert.ok(Math.abs(p - truth) < 0.01, `p_yes ${p} vs ${truth}`);
  assert.ok(p > 0.94, `p_yes ${p}: the final minute must not freeze at σ(1) (that would say ≈ 0.75)`);

  // KXINXU's 16:00 event: the hourly horizon and its 16:00 curve (the same choice the engine makes)
  const at16 = JSON.parse(fs.readFileSync(U_FIXTURE, 'utf8').replaceAll('H1000', 'H1600').replaceAll('2026-11-20T15:00:00Z', '2026-11-20T21:00:00Z'));
  fs.writeFileSync(path.join(h, 'h1600.json'), JSON.stringify(at16));
  const r16 = await cli(['price', '--markets', 'h1600.json', '--spot', '6802', '--now', '2026-11-20T15:59:50-05:00', '--json'], { home: h });
  assert.equal(r16.code, 0, r16.stderr);
  const ev16 = JSON.parse(r16.stdout).events[0];
  assert.deepEqual([ev16.event_ticker, ev16.window, ev16.model.horizon, ev16.model.target_et, ev16.model.curve_target], ['KXINXU-26NOV20H1600', '2026-11-20/close-1600', 'hourly', '16:00', '16:00']);
  assert.ok(Math.abs(ev16.markets[2].p_yes - truth) < 0.01);

  // without by_target the pooled curve serves the target (σ(1) = 5 here)
  const { by_target: _b, ...pooledOnly } = calib;
  fs.writeFileSync(path.join(h, 'data/proc/calib/index/spx/hourly/params.json'), JSON.stringify(pooledOnly));
  const rp = JSON.parse((await cli(['price', '--markets', U_FIXTURE, '--spot', '6802', '--now', '2026-11-20T09:59:50-05:00', '--json'], { home: h })).stdout).events[0];
  assert.equal(rp.model.curve_target, 'pooled');
  assert.ok(Math.abs(rp.model.sigma_m - 5 * Math.sqrt(1 / 6)) < 1e-9);
});

test('price holds quotes to the running window\'s bar: the final-seconds rule blocks new quotes 3 s before the target', async () => {
  const h = home();
  const run = async (now: string) => {
    const r = await cli(['price', '--markets', U_FIXTURE, '--spot', '6802', '--now', now, '--json'], { home: h });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).events[0] as { quotes: unknown[]; markets: MarketOut[] };
  };
  const early = await run(NOW);
  assert.ok(early.quotes.length > 0, 'quotes 15 minutes out');
  const late = await run('2026-11-20T09:59:57-05:00');
  assert.equal(late.quotes.length, 0);
  const reasons = late.markets.flatMap((m) => [m.buy.reason, m.sell.reason]);
  assert.ok(reasons.includes('final_seconds_no_new_quote'), reasons.join(','));
});
