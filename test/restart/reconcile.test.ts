/**
 * Live-broker restart against the Kalshi simulator (SPEC §6.6, issue 9): while "the process was down" the
 * exchange kept an orphan of ours (known to no local file), cancelled one order the snapshot still counts
 * as resting, and filled another. The restarted supervisor (online source pointed at the simulator, live
 * broker) must cancel the orphan and report it, adopt what still rests, close the cancelled one, count the
 * fill in its exposure — and never re-send any of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Supervisor } from '../../src/app/supervisor.ts';
import { simClock } from '../../src/app/market-adapters.ts';
import { startSimEnv } from '../../src/app/sim-env.ts';
import { writeSnapshot, type Snapshot } from '../../src/app/snapshot.ts';
import type { TradingSession } from '../../src/app/session.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs, formatEt } from '../../src/core/time/et.ts';
import { clientOrderId } from '../../src/core/quotes/client-order-id.ts';
import { slotKey } from '../../src/core/quotes/select.ts';
import { newQuotingState, type OwnOrder } from '../../src/core/quoting/state.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { parseAppEnv } from '../../src/config/env.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { OrdersStore } from '../../src/adapters/state/orders-store.ts';
import { readIncidents } from '../../src/adapters/monitors/report.ts';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { formatDollars } from '../../src/core/units.ts';
import { tempHome, cli } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log.ts';

const DATE = '2026-11-20';
const at = (t: string) => etToMs(DATE, t);

test('live restart: orphan cancelled and reported, cancelled-while-down closed, filled-while-down counted, nothing re-sent', async () => {
  const home = tempHome('ka-reconcile-');
  const paths = resolvePaths(home);
  const config = defaultIndexOps();
  const clock = simClock(at('09:58:20'), 20);
  const sim = await startSimEnv({ clock, seed: 20261120, dateEt: DATE, tickIntervalMs: 250 });
  try {
    // The credentials a live run needs, pointed at the simulator.
    const keyFile = path.join(home, 'kalshi.pem');
    fs.writeFileSync(keyFile, sim.kalshiPrivateKeyPem, { mode: 0o600 });
    const rawEnv = {
      KALSHI_API_KEY_ID: sim.kalshiKeyId,
      KALSHI_PRIVATE_KEY_PEM_PATH: keyFile,
      KALSHI_API_BASE: sim.kalshi.restBase,
      KALSHI_WS_URL: sim.kalshi.wsUrl,
      MASSIVE_API_KEY: sim.massiveApiKey,
      MASSIVE_WS_URL: sim.polygon.wsUrl,
      MASSIVE_REST_BASE: sim.massive.restUrl,
      KALSHI_LIVE_APPROVED: 'yes',
    };
    // Online preflight wants fresh calibrations.
    for (const symbol of ['I:SPX', 'I:NDX'] as const) {
      writeCalibration(calibrationPath(paths.calibDir, symbol, 'hourly'), {
        symbol, horizon: 'hourly', generated_at: new Date(clock.now() - 86_400_000).toISOString(), sample_count: 60, days: 60,
        minutes_to_target: Object.fromEntries([1, 5, 15, 30, 60].map((m) => [String(m), { sigma: (symbol === 'I:SPX' ? 3 : 12) * Math.sqrt(m), drift: 0 }])),
        residual_std: 0.1, event_tail: { tags: [], kappa: 1 },
      });
    }

    // What the exchange holds for us when the process "comes back".
    const ex = sim.kalshi.exchange;
    const owner = sim.kalshiKeyId;
    const windowId = `${DATE}/hourly-1000`;
    const event = ex.events.find((e) => e.eventTicker === 'KXINXU-26NOV20H1000')!;
    const markets = event.markets.map((m) => ex.markets.get(m.ticker)!).filter((m) => m.status === 'active');
    const bidOf = (m: (typeof markets)[number]) => ex.bestYesBid(m)?.[0] ?? 0;
    // The orphan and the order that still rests wait out the restart deep in the book, 20¢ under the best bid:
    // the simulator's takers keep trading on the flowing clock while the supervisor starts, and a bid at the
    // top could be filled before recovery looks (how long that takes in virtual time depends on the machine).
    const DEEP = 2_000;
    const deep = markets.filter((m) => bidOf(m) - DEEP >= 500);
    const improvable = markets.filter((m) => !deep.slice(0, 2).includes(m) && (ex.bestYesAsk(m)?.[0] ?? 10_000) - bidOf(m) >= 200);
    assert.ok(deep.length >= 2, `markets with a bid 20¢ deep (${deep.length})`);
    assert.ok(improvable.length >= 2, `markets with room inside the spread (${improvable.length})`);
    const place = (m: (typeof markets)[number], revision: number, price = bidOf(m) + 100) => {
      const id = clientOrderId(windowId, m.spec.ticker, 'buy', price, revision);
      const r = ex.create(owner, { ticker: m.spec.ticker, client_order_id: id, side: 'bid', count: '1.00', price: formatDollars(price), time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true });
      return { id, order: r.order, price, ticker: m.spec.ticker };
    };
    const orphan = place(deep[0]!, 3, bidOf(deep[0]!) - DEEP);
    const cancelled = place(improvable[0]!, 3);
    ex.cancel(owner, cancelled.order.orderId);
    const filled = place(improvable[1]!, 3);
    ex.takerOrder(filled.ticker, 'ask', filled.price, 100);
    assert.equal(ex.orders.get(filled.order.orderId)!.status, 'executed', 'the taker filled it while we were down');
    const resting = place(deep[1]!, 3, bidOf(deep[1]!) - DEEP);

    // What the local files remember: orders.json and a fresh snapshot know cancelled, filled and resting (not the orphan).
    const store = new OrdersStore(paths.ordersState, clock);
    const state = newQuotingState(windowId, 'INXU', event.eventTicker);
    for (const k of [cancelled, filled, resting]) {
      store.recordSubmitted('live', { clientOrderId: k.id, marketTicker: k.ticker, side: 'buy', price: k.price, size: 100, postOnly: true });
      const o: OwnOrder = { clientOrderId: k.id, orderId: k.order.orderId, marketTicker: k.ticker, side: 'buy', price: k.price, size: 100, filled: 0, revision: 3, status: 'resting', worstPips: k.price, placedMs: clock.now() - 60_000, updatedMs: clock.now() - 60_000 };
      state.orders[k.id] = o;
      state.revisions[slotKey(k.ticker, 'buy')] = 4;
      state.counters.quotesPlaced++;
    }
    const w = { id: windowId, label: 'hourly-1000', series: ['INXU', 'NASDAQ100U'], start_ms: at('09:45'), strict_ms: at('09:59'), freeze_ms: at('09:59:58'), target_ms: at('10:00'), state: 'active' as const, reasons: [], quotes: 3, fills: 0, pnl_usd: 0 };
    const snap: Snapshot = {
      version: 1, captured_at: formatEt(clock.now() - 500), captured_ms: clock.now() - 500, clock: 'virtual', pid: 999_999, running: true, source: 'online', mode: 'live', day: DATE,
      active_window: w, upcoming_windows: [], windows_today: [w], outstanding: { count: 3, client_order_ids: [cancelled.id, filled.id, resting.id] },
      feeds: null, kill_switch: false, maintenance: null, quoting: [state as unknown as Snapshot['quoting'][number]], ev_gap: {},
    };
    writeSnapshot(paths.hotRestart, snap);

    const { log, lines } = captureLog(clock);
    let session: TradingSession | undefined;
    const sup = new Supervisor(
      {
        source: 'online', broker: 'live', seed: 1, refNowMs: clock.now(), loop: false, sleepSeconds: 30, killSwitchFile: paths.killSwitch,
        preflightRetryMs: 60_000, settle: false, noWsListen: false, startupTimeoutMs: 60_000, openLeadMs: 20_000, series: ['INXU'],
        onDayOpen: (d) => (session = d.session),
      },
      { paths, config, calendar: createCalendar(), env: parseAppEnv(rawEnv), rawEnv, clock, log },
    );
    const out = await sup.run();
    const [win] = out.windows;
    assert.equal(win!.state, 'done', `window state ${win!.state} ${win!.reasons.join(',')}\n${lines.filter((l) => / (WARN|ERROR) /.test(l)).join('\n')}`);
    const rec = session!.recovery!;
    assert.deepEqual(rec.orphans, [orphan.id], 'the orphan is reported');
    assert.deepEqual(rec.adopted.sort(), [resting.id].sort(), 'only what still rests is adopted');
    assert.equal(ex.orders.get(orphan.order.orderId)!.status, 'canceled', 'the orphan was cancelled at the exchange');
    assert.ok(lines.some((l) => /orphan orders at the exchange/.test(l)), 'orphans logged');
    assert.ok(readIncidents(paths.reportMd).some((i) => /orphan/.test(i.text)), 'orphans in REPORT.md');
    // Nothing of the old orders was sent again: each client_order_id exists once at the exchange.
    const ours = [...ex.orders.values()].filter((o) => o.owner === owner);
    for (const k of [orphan, cancelled, filled, resting]) assert.equal(ours.filter((o) => o.clientOrderId === k.id).length, 1, `${k.id} sent once`);
    // The fill that happened while down counts in the window's exposure.
    const inxu = win!.results.find((r) => r.series === 'INXU')!;
    assert.ok(inxu.fills >= 1, `the fill while down is counted (fills=${inxu.fills})`);
    // Nothing of ours rests after the freeze.
    assert.equal(ours.filter((o) => o.status === 'resting').length, 0, 'zero resting at the exchange after the window');
    // And orders reconcile agrees afterwards.
    const r = await cli(['orders', 'reconcile', '--mode', 'live', '--json'], { home, env: rawEnv, clock });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(JSON.parse(r.stdout).only_truth, []);
  } finally {
    await sim.close();
    clock.dispose();
  }
});
