/**
 * supervisor-index end to end against the simulator through the real adapters (signed Kalshi REST +
 * websocket, Massive websocket + REST poller on loopback), on a flowing virtual clock. Each scenario
 * starts shortly before the part of the window it exercises and checks ledger, monitors, REPORT.md,
 * snapshot and log lines.
 *
 * Over real sockets on a flowing clock, real latency (a round trip, an fdatasync on a busy disk) becomes
 * virtual time, so these tests assert protocol, order and outcome — stood down, cancelled before quoting
 * resumed, nothing quoted meanwhile, REPORT.md, settled — never a virtual-time bound. The bounds (within a
 * cycle, within a second, failover within the SLO, back 5–6 s after recovery) are bounds.test.ts's, on the
 * same scenarios in-process on the discrete-event clock; so are the kill switch and the cancel-all marker
 * written by another process, whose adapters are files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readSnapshot } from '../../src/app/snapshot.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { readIncidents } from '../../src/adapters/monitors/report.ts';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { allWithdrawnBy, at, count, quotes, supervise } from '../helpers/supervise.ts';

/** Every quote of `records` was closed (cancelled or filled to completion) at some point; the ids that were not. */
const neverClosed = (records: Parameters<typeof allWithdrawnBy>[0]) => allWithdrawnBy(records, Number.POSITIVE_INFINITY, 0);

test('normal close window: every series quoted concurrently, gate line once per series, zero outstanding at the freeze, settled, monitors and snapshot written', async () => {
  const r = await supervise({ nowIso: '2026-11-20T15:57:30-05:00', opts: { settle: true } });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'done', JSON.stringify(w!.results.map((x) => x.error)));
  assert.equal(w!.window.label, 'close-1600');
  assert.deepEqual(new Set(w!.results.map((x) => x.series)), new Set(['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U']));
  for (const res of w!.results) {
    assert.equal(res.status, 'completed', res.error);
    assert.equal(res.outstandingAfterFreeze, 0);
    assert.equal(count(r.lines, new RegExp(`INFO fresh WS ok age=\\d+ms strict=(true|false) window=close-1600 series=${res.series} `)), 1, `gate line once for ${res.series}`);
  }
  // Quotes of all four series, all withdrawn, none placed once a series' freeze cancel-all began.
  const q = quotes(r.records);
  assert.deepEqual(new Set(q.map((x) => x.series)), new Set(['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U']));
  assert.deepEqual(neverClosed(r.records), []);
  for (const s of ['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U']) {
    const frozeAt = r.records.find((x) => x.type === 'cancel' && x.reason === 'freeze' && x.series === s)?.ts_ms;
    if (frozeAt !== undefined) assert.ok(q.every((x) => x.series !== s || x.ts_ms <= frozeAt), `${s}: no quote after its freeze cancel-all`);
  }
  // Settlement of every quoted market after the target.
  const settled = new Set(r.records.filter((x) => x.type === 'settlement').map((x) => x.kalshi_market_id));
  for (const m of new Set(q.map((x) => x.kalshi_market_id))) assert.ok(settled.has(m), `market ${m} settled`);
  // Monitors, snapshot, incidents.
  const fresh = JSON.parse(fs.readFileSync(path.join(r.paths.monitorsDir, 'freshness.json'), 'utf8'));
  assert.equal(fresh.window, 'close-1600');
  assert.equal(fresh.dual_feed.active, 'polygon');
  const gap = JSON.parse(fs.readFileSync(path.join(r.paths.monitorsDir, 'ev_gap.json'), 'utf8'));
  assert.equal(gap.window, 'close-1600');
  assert.ok(gap.window_gap.markets > 0, 'ev_gap has markets');
  const snap = readSnapshot(r.paths.hotRestart, Number.MAX_SAFE_INTEGER);
  assert.equal(snap.kind, 'ok');
  if (snap.kind === 'ok') {
    assert.equal(snap.snapshot.running, false);
    assert.ok(snap.snapshot.stats!.quotes >= q.length, 'snapshot stats count the quotes');
  }
  assert.deepEqual(readIncidents(r.paths.reportMd), []);
  assert.equal(r.out.transitions.filter((t) => t.from !== 'stand_down').length, 0, 'no failover in a calm session');
});

test('NO-GO: kill switch engaged — reason logged once, REPORT.md entry, nothing quoted', async () => {
  const r = await supervise({ nowIso: '2026-11-20T09:58:30-05:00', prepare: (_h, p) => {
    fs.mkdirSync(path.dirname(p.killSwitch), { recursive: true });
    fs.writeFileSync(p.killSwitch, 'drill');
  } });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'no_go');
  assert.deepEqual(w!.reasons, ['kill_switch_engaged']);
  assert.equal(count(r.lines, /preflight NO-GO: kill_switch_engaged/), 1);
  assert.equal(quotes(r.records).length, 0);
  const inc = readIncidents(r.paths.reportMd);
  assert.ok(inc.some((i) => i.kind === 'no_go' && /kill_switch_engaged/.test(i.text)), JSON.stringify(inc));
});

test('NO-GO: stale calibration', async () => {
  const r = await supervise({
    nowIso: '2026-11-20T09:58:30-05:00',
    prepare: (_h, p) => {
      const generated = new Date(at('09:58:30') - 30 * 86_400_000).toISOString();
      writeCalibration(calibrationPath(p.calibDir, 'I:SPX', 'hourly'), {
        symbol: 'I:SPX', horizon: 'hourly', generated_at: generated, sample_count: 40, days: 40,
        minutes_to_target: { '1': { sigma: 3, drift: 0 } }, residual_std: 0.1, event_tail: { tags: [], kappa: 1 },
      });
    },
  });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'no_go');
  assert.deepEqual(w!.reasons, ['calibration_stale:INXU:hourly:30d']);
  assert.equal(count(r.lines, /preflight NO-GO: calibration_stale:INXU:hourly:30d/), 1);
  assert.equal(quotes(r.records).length, 0);
});

test('NO-GO: exchange inactive (trading paused at the exchange)', async () => {
  const r = await supervise({ nowIso: '2026-11-20T09:58:30-05:00', during: ({ adapters }) => adapters.sim!.kalshi.controls.setTradingPaused(true) });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'no_go');
  assert.deepEqual(w!.reasons, ['exchange_inactive']);
  assert.equal(count(r.lines, /preflight NO-GO: exchange_inactive/), 1);
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'no_go' && /exchange_inactive/.test(i.text)), 'REPORT.md entry');
});

test('transient NO-GO (kalshi_unreachable) is retried inside the window and then GO', async () => {
  const r = await supervise({
    nowIso: '2026-11-20T09:57:00-05:00',
    opts: { preflightRetryMs: 5_000 },
    // Exactly one preflight's worth of failures: every retry attempt of GET /exchange/status answers 503.
    during: ({ adapters }) => adapters.sim!.kalshi.controls.inject5xx(defaultIndexOps().kalshi.rest_max_attempts, { pathPrefix: '/exchange/status' }),
  });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'done', JSON.stringify(w));
  assert.deepEqual(w!.reasons, ['kalshi_unreachable']);
  assert.equal(count(r.lines, /preflight NO-GO: kalshi_unreachable/), 1);
  assert.equal(count(r.lines, /preflight GO after retry/), 1);
  assert.ok(quotes(r.records).length > 0, 'quoted after GO');
});

test('feed stall → failover to massive → back to polygon after it recovers; quoting continues on massive', async () => {
  const stallAt = at('09:58:10');
  const resumeAt = at('09:58:14');
  const r = await supervise({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ clock, adapters }) => {
      clock.setTimeout(() => adapters.sim!.polygon.stall(), stallAt - clock.now());
      clock.setTimeout(() => adapters.sim!.polygon.resume(), resumeAt - clock.now());
    },
  });
  const t = r.out.transitions.filter((x) => x.from !== 'stand_down');
  assert.deepEqual(t.map((x) => `${x.from}→${x.to}:${x.reason}`), ['polygon→massive:primary_stale', 'massive→polygon:primary_recovered']);
  // (How soon: bounds.test.ts. A lower bound latency can only lengthen: back no sooner than return_after_ms.)
  assert.ok(t[0]!.at > stallAt, 'failed over after the stall');
  assert.ok(t[1]!.at - resumeAt >= 5_000, `back ${t[1]!.at - resumeAt} ms after the resume, not before return_after_ms`);
  assert.equal(count(r.lines, /feed failover polygon → massive/), 1);
  assert.ok(quotes(r.records).some((q) => q.active_feed === 'massive' && q.ts_ms > t[0]!.at && q.ts_ms < t[1]!.at), 'quoted on massive');
  assert.equal(r.out.windows[0]!.state, 'done');
});

test('both feeds stale → stand-down: everything cancelled before quoting resumes, nothing quoted meanwhile, REPORT.md entries', async () => {
  const stallAt = at('09:58:10');
  const resumeAt = at('09:58:20');
  const r = await supervise({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ clock, adapters }) => {
      clock.setTimeout(() => {
        adapters.sim!.polygon.stall();
        adapters.sim!.massive.stall();
      }, stallAt - clock.now());
      clock.setTimeout(() => {
        adapters.sim!.polygon.resume();
        adapters.sim!.massive.resume();
      }, resumeAt - clock.now());
    },
  });
  const down = r.out.transitions.find((x) => x.to === 'stand_down' && x.at > stallAt);
  assert.ok(down, 'stood down');
  const up = r.out.transitions.find((x) => x.from === 'stand_down' && x.at > down.at);
  assert.ok(up && up.at >= resumeAt, 'resumed after the feeds did');
  // Nothing rests through a stand-down: every earlier quote is cancelled before the feeds are back, none placed
  // during it. (Within one cycle of it: bounds.test.ts.)
  assert.ok(quotes(r.records).some((q) => q.ts_ms < down.at), 'quotes rested before the stand-down');
  assert.deepEqual(allWithdrawnBy(r.records, down.at, up!.at - down.at), []);
  assert.ok(r.records.some((x) => x.type === 'cancel' && x.reason === 'stale_feed:stand_down'), 'cancelled for the stand-down');
  assert.ok(quotes(r.records).every((q) => q.ts_ms < down.at || q.ts_ms >= up!.at), 'nothing quoted while standing down');
  assert.ok(quotes(r.records).some((q) => q.ts_ms >= up!.at), 'quoting resumed');
  const inc = readIncidents(r.paths.reportMd);
  assert.ok(inc.some((i) => i.kind === 'stand_down'), JSON.stringify(inc));
  assert.ok(inc.some((i) => i.kind === 'feed_resumed'), 'REPORT.md resume entry');
});

test('maintenance approaching: from the announced schedule, cancel-all (reason kalshi_maintenance) and no quote after it', async () => {
  // A 3-minute close window (15:57–16:00) and a slot whose 5-minute lead begins inside it, at 15:59.
  const config = defaultIndexOps();
  config.windows.close_start_offset_minutes = 3;
  const slot = { startMs: at('16:04:00'), endMs: at('16:30:00') };
  const blockAt = slot.startMs - 5 * 60_000;
  const r = await supervise({ nowIso: '2026-11-20T15:57:00-05:00', config, opts: { sim: { kalshi: { maintenance: [slot] } } } });
  const q = quotes(r.records);
  const cancels = r.records.filter((x) => x.type === 'cancel' && x.reason === 'kalshi_maintenance');
  assert.ok(cancels.length > 0, 'cancelled with reason kalshi_maintenance');
  assert.ok(cancels[0]!.ts_ms >= blockAt, 'not before the lead time');
  assert.ok(q.some((x) => x.ts_ms < cancels[0]!.ts_ms), 'quoted before it');
  assert.ok(q.every((x) => x.ts_ms <= cancels[0]!.ts_ms), 'nothing quoted once the maintenance cancel-all ran');
  assert.deepEqual(neverClosed(r.records), []);
  // (Within a second of the lead time: bounds.test.ts.)
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'maintenance'), 'REPORT.md entry');
});

test('live broker: the per-market contract cap binds from fill events over the websocket', async () => {
  const config = defaultIndexOps();
  config.risk.max_contracts_per_market = 1;
  config.quotes.min_ev_usd = 0.01;
  let exchange: import('../../src/sim/kalshi/exchange.ts').SimExchange | undefined;
  let mode: string | undefined;
  // When our side learnt each market's cap was reached: the fill event that brought it there, as received.
  const known = new Map<string, { filled: number; at?: number }>();
  const r = await supervise({
    nowIso: '2026-11-20T15:56:30-05:00',
    config,
    opts: { broker: 'live', sim: { takerProbability: 0.5 } },
    rawEnv: { KALSHI_LIVE_APPROVED: 'yes' },
    during: ({ clock, adapters, session }) => {
      // Keep the simulator's view: every order and fill of ours after the window.
      exchange = adapters.sim!.kalshi.exchange;
      mode = session.mode;
      session.broker.onEvent((e) => {
        if (e.type !== 'filled') return;
        const m = known.get(e.order.marketTicker) ?? { filled: 0 };
        m.filled += e.fill.size / 100;
        if (m.filled >= 1 && m.at === undefined) m.at = clock.now();
        known.set(e.order.marketTicker, m);
      });
    },
  });
  assert.equal(mode, 'live');
  const [w] = r.out.windows;
  assert.equal(w!.state, 'done');
  const fills = w!.results.reduce((n, x) => n + x.fills, 0);
  assert.ok(fills > 0, 'some of our quotes were filled');
  // Per market: filled contracts never exceed the cap, and once the fill event that reached it has arrived only
  // the orders of the plan already being carried out may still reach the exchange — one per market and side —
  // never a later cycle's. (The dry broker's exact bound, no grace at all: bounds.test.ts.)
  const byMarket = new Map<string, { filled: number; capAt?: number }>();
  const ours = (owner: string) => owner !== 'sim:market-maker' && owner !== 'sim:taker';
  for (const f of exchange!.fills.filter((x) => ours(x.owner))) {
    const m = byMarket.get(f.ticker) ?? { filled: 0 };
    m.filled += f.count / 100;
    if (m.filled >= 1 && m.capAt === undefined) m.capAt = f.tsMs;
    byMarket.set(f.ticker, m);
  }
  assert.ok([...byMarket.values()].some((m) => m.capAt !== undefined), 'some market reached its cap');
  for (const [t, m] of byMarket) if (m.capAt !== undefined) assert.ok(known.get(t)?.at !== undefined, `${t}: the capping fill reached us`);
  const after = new Map<string, number>();
  for (const o of exchange!.orders.values()) {
    const knownAt = known.get(o.ticker)?.at;
    if (!ours(o.owner) || knownAt === undefined || o.createdMs <= knownAt) continue;
    const k = `${o.ticker} ${o.side}`;
    after.set(k, (after.get(k) ?? 0) + 1);
  }
  for (const [k, n] of after) assert.ok(n <= 1, `${k}: ${n} orders after the capping fill arrived`);
  assert.equal([...exchange!.orders.values()].filter((o) => ours(o.owner) && o.status === 'resting').length, 0, 'nothing of ours rests at the exchange');
  for (const [t, m] of byMarket) assert.ok(m.filled <= 1, `${t}: ${m.filled} contracts filled over a cap of 1`);
});
