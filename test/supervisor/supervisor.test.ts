/**
 * supervisor-index end to end against the simulator through the real adapters (signed Kalshi REST +
 * websocket, Massive websocket + REST poller on loopback), on a flowing virtual clock. Each scenario
 * starts shortly before the part of the window it exercises and checks ledger, monitors, REPORT.md,
 * snapshot and log lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readSnapshot } from '../../src/app/snapshot.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { readIncidents } from '../../src/adapters/monitors/report.ts';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { allWithdrawnBy, at, count, quotes, repoRoot, supervise } from '../helpers/supervise.ts';

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
  // Quotes of all four series, all withdrawn by the freeze, none placed after it.
  const q = quotes(r.records);
  assert.deepEqual(new Set(q.map((x) => x.series)), new Set(['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U']));
  const freeze = w!.window.freezeMs;
  assert.ok(q.every((x) => x.ts_ms < freeze), 'no quote at or after the freeze');
  assert.deepEqual(allWithdrawnBy(r.records, freeze, 0), []);
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

test('feed stall → failover to massive → back to polygon 5 s after it recovers; quoting continues on massive', async () => {
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
  assert.ok(t[0]!.at > stallAt && t[0]!.at - stallAt <= 1_500, `failover within the SLO (+1 tick): ${t[0]!.at - stallAt} ms`);
  assert.ok(t[1]!.at - resumeAt >= 5_000 && t[1]!.at - resumeAt <= 6_000, `return ${t[1]!.at - resumeAt} ms after resume`);
  assert.equal(count(r.lines, /feed failover polygon → massive/), 1);
  assert.ok(quotes(r.records).some((q) => q.active_feed === 'massive' && q.ts_ms > t[0]!.at && q.ts_ms < t[1]!.at), 'quoted on massive');
  assert.equal(r.out.windows[0]!.state, 'done');
});

test('both feeds stale → stand-down: everything cancelled within a cycle, REPORT.md entry, resume when fresh', async () => {
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
  // Nothing rests through a stand-down: every earlier quote is cancelled within one cycle of it, none placed during it.
  assert.deepEqual(allWithdrawnBy(r.records, down.at, 1_000), []);
  assert.ok(quotes(r.records).every((q) => q.ts_ms < down.at || q.ts_ms >= up!.at), 'nothing quoted while standing down');
  assert.ok(quotes(r.records).some((q) => q.ts_ms >= up!.at), 'quoting resumed');
  const inc = readIncidents(r.paths.reportMd);
  assert.ok(inc.some((i) => i.kind === 'stand_down'), JSON.stringify(inc));
  assert.ok(inc.some((i) => i.kind === 'feed_resumed'), 'REPORT.md resume entry');
});

test('kill switch armed mid-window: all cancelled within 1 s, nothing placed after it, REPORT.md entry', async () => {
  // The instant the file really appeared (a flowing clock may read past a timer's instant before it runs).
  let armAt = 0;
  const r = await supervise({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ clock, paths }) =>
      clock.setTimeout(() => {
        fs.writeFileSync(paths.killSwitch, 'drill');
        armAt = clock.now();
      }, at('09:58:30') - clock.now()),
  });
  assert.ok(armAt > 0, 'the kill switch was armed');
  const q = quotes(r.records);
  assert.ok(q.some((x) => x.ts_ms < armAt), 'quoted before');
  assert.ok(q.every((x) => x.ts_ms < armAt), 'nothing placed after the kill switch');
  assert.deepEqual(allWithdrawnBy(r.records, armAt, 1_000), []);
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'kill_switch'), 'REPORT.md entry');
});

test('orders cancel-all from another process is executed within a second and cleared', async () => {
  let markedAt = 0;
  const r = await supervise({
    nowIso: '2026-11-20T09:57:30-05:00',
    speed: 10,
    during: ({ clock, home, session }) => {
      // Once orders rest, a real second process writes the marker (a locked read-modify-write of orders.json).
      const attempt = async () => {
        if (markedAt > 0) return;
        if ((await session.broker.openOrders()).length === 0) {
          clock.setTimeout(() => void attempt(), 500);
          return;
        }
        const p = spawnSync(process.execPath, [path.join(repoRoot, 'bin/kalshi-alpha.js'), 'orders', 'cancel-all', '--reason', 'operator_drill', '--mode', 'dry'], {
          env: { ...process.env, KALSHI_ALPHA_HOME: home },
          encoding: 'utf8',
        });
        assert.equal(p.status, 0, p.stderr);
        markedAt = clock.now();
      };
      clock.setTimeout(() => void attempt(), at('09:58:20') - clock.now());
    },
  });
  assert.ok(markedAt > 0, 'the marker was written while orders rested');
  const drill = r.records.filter((x) => x.type === 'cancel' && x.reason === 'operator_drill');
  assert.ok(drill.length > 0, 'orders cancelled with the operator reason');
  assert.ok(drill.every((c) => c.ts_ms - markedAt <= 1_000), 'within 1 s of the marker');
  const orders = JSON.parse(fs.readFileSync(r.paths.ordersState, 'utf8'));
  assert.equal(orders.modes.dry.cancel_all, null, 'marker cleared');
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'cancel_all' && /operator_drill/.test(i.text)), 'REPORT.md entry');
});

test('maintenance approaching: cancel-all 5 minutes before it, no quotes until it ends', async () => {
  // A 3-minute close window (15:57–16:00) and a slot whose 5-minute lead begins inside it, at 15:59.
  const config = defaultIndexOps();
  config.windows.close_start_offset_minutes = 3;
  const slot = { startMs: at('16:04:00'), endMs: at('16:30:00') };
  const blockAt = slot.startMs - 5 * 60_000;
  const r = await supervise({ nowIso: '2026-11-20T15:57:00-05:00', config, opts: { sim: { kalshi: { maintenance: [slot] } } } });
  const q = quotes(r.records);
  assert.ok(q.some((x) => x.ts_ms < blockAt), 'quoted before the lead time');
  assert.ok(q.every((x) => x.ts_ms < blockAt), 'nothing quoted once maintenance is 5 minutes away');
  const cancels = r.records.filter((x) => x.type === 'cancel' && x.reason === 'kalshi_maintenance');
  assert.ok(cancels.length > 0, 'cancelled with reason kalshi_maintenance');
  assert.deepEqual(allWithdrawnBy(r.records, blockAt, 1_000), []);
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'maintenance'), 'REPORT.md entry');
});

for (const broker of ['dry', 'live'] as const) {
  test(`${broker} broker: the per-market contract cap binds from fill events`, async () => {
    const config = defaultIndexOps();
    config.risk.max_contracts_per_market = 1;
    config.quotes.min_ev_usd = 0.01;
    const r = await supervise({
      nowIso: '2026-11-20T15:56:30-05:00',
      config,
      opts: { broker, sim: { takerProbability: 0.5 } },
      rawEnv: broker === 'live' ? { KALSHI_LIVE_APPROVED: 'yes' } : {},
      during: ({ adapters, session }) => {
        // Keep the simulator's view: every order and fill of ours after the window.
        (globalThis as { __sim?: unknown }).__sim = { exchange: adapters.sim!.kalshi.exchange, mode: session.mode };
      },
    });
    const { exchange, mode } = (globalThis as { __sim?: { exchange: import('../../src/sim/kalshi/exchange.ts').SimExchange; mode: string } }).__sim!;
    assert.equal(mode, broker);
    const [w] = r.out.windows;
    assert.equal(w!.state, 'done');
    const fills = w!.results.reduce((n, x) => n + x.fills, 0);
    assert.ok(fills > 0, 'some of our quotes were filled');
    // Per market: filled contracts never exceed the cap, and no order was placed after the cap was reached.
    const byMarket = new Map<string, { filled: number; capAt?: number }>();
    const ours = (owner: string) => owner !== 'sim:market-maker' && owner !== 'sim:taker';
    if (broker === 'dry') {
      for (const f of r.records.filter((x) => x.type === 'paper_fill')) {
        const m = byMarket.get(f.kalshi_market_id) ?? { filled: 0 };
        m.filled += f.fill_size;
        if (m.filled >= 1 && m.capAt === undefined) m.capAt = f.ts_ms;
        byMarket.set(f.kalshi_market_id, m);
      }
      for (const q of quotes(r.records)) {
        const m = byMarket.get(q.kalshi_market_id);
        if (m?.capAt !== undefined) assert.ok(q.ts_ms <= m.capAt, `quote in ${q.kalshi_market_id} after its cap`);
      }
    } else {
      for (const f of exchange.fills.filter((x) => ours(x.owner))) {
        const m = byMarket.get(f.ticker) ?? { filled: 0 };
        m.filled += f.count / 100;
        if (m.filled >= 1 && m.capAt === undefined) m.capAt = f.tsMs;
        byMarket.set(f.ticker, m);
      }
      for (const o of exchange.orders.values()) {
        if (!ours(o.owner)) continue;
        const m = byMarket.get(o.ticker);
        // One cycle of grace: the fill event reaches us over the websocket.
        if (m?.capAt !== undefined) assert.ok(o.createdMs <= m.capAt + 1_000, `order in ${o.ticker} after its cap`);
      }
      assert.equal([...exchange.orders.values()].filter((o) => ours(o.owner) && o.status === 'resting').length, 0, 'nothing of ours rests at the exchange');
    }
    for (const [t, m] of byMarket) assert.ok(m.filled <= 1, `${t}: ${m.filled} contracts filled over a cap of 1`);
  });
}
