import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiRateLimiter, TokenBucket } from '../../src/adapters/kalshi/rate-limiter.ts';
import { KalshiRestClient } from '../../src/adapters/kalshi/rest-client.ts';
import { KalshiApiError } from '../../src/adapters/kalshi/errors.ts';
import { KalshiVenue } from '../../src/adapters/kalshi/venue.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { startKalshiSim } from '../../src/sim/kalshi/server.ts';
import { quadraticFee } from '../../src/sim/kalshi/exchange.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { KEY_ID, SIM_DATE, startRig, testKeys, until } from './helpers.ts';

describe('token buckets', () => {
  test('requests wait on the clock until their cost fits; waiters are served in order', async () => {
    const clock = new VirtualClock(0);
    const b = new TokenBucket(clock, 10, 20); // 10 tokens/s, 2 s of capacity
    const done: string[] = [];
    await b.take(10);
    await b.take(10);
    const third = b.take(10).then(() => done.push('third'));
    const fourth = b.take(2).then(() => done.push('fourth'));
    await clock.advance(500);
    assert.deepEqual(done, []);
    await clock.advance(500);
    await third;
    assert.deepEqual(done, ['third']);
    await clock.advance(200);
    await fourth;
    assert.deepEqual(done, ['third', 'fourth']);
    await assert.rejects(b.take(21), RangeError);
  });

  test('the REST client charges create 10 and cancel 2 against the write bucket', async () => {
    const rig = await startRig({ mmTickMs: 0 });
    try {
      const limiter = new KalshiRateLimiter(rig.clock, { read_tokens_per_s: 1000, read_bucket_seconds: 1, write_tokens_per_s: 10, write_bucket_seconds: 2 });
      const rest = new KalshiRestClient({ baseUrl: rig.sim.restBase, clock: rig.clock, signer: rig.signer, limiter });
      const ticker = [...rig.sim.exchange.markets.keys()][0]!;
      const order = (id: string) => ({ ticker, client_order_id: id, side: 'bid' as const, count: '1.00', price: '0.0100', time_in_force: 'good_till_canceled' as const, self_trade_prevention_type: 'maker' as const, post_only: true });
      const a = await rest.createOrder(order('rl-1'));
      await rest.createOrder(order('rl-2'));
      assert.ok(limiter.write.available() < 1);
      let cancelled = false;
      const c = rest.cancelOrder(a.order_id).then(() => (cancelled = true));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(cancelled, false, 'cancel waits for 2 tokens');
      await rig.clock.advance(150); // 1.5 tokens: still not enough
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(cancelled, false);
      await rig.clock.advance(100);
      await c;
      assert.equal(cancelled, true);
    } finally {
      await rig.close();
    }
  });
});

describe('simulated exchange over time', () => {
  test('maintenance: status, schedule and a refused order during the pause', async () => {
    const start = etToMs(SIM_DATE, '09:45');
    const rig = await startRig({ mmTickMs: 0, maintenance: [{ startMs: start + 60_000, endMs: start + 120_000 }] });
    try {
      const venue = new KalshiVenue(rig.rest, rig.clock);
      const sched = await venue.exchangeSchedule();
      assert.ok(sched.maintenanceWindows.some((w) => w.startMs === start + 60_000 && w.endMs === start + 120_000));
      assert.deepEqual(sched.standardHours[0]!.days[4], [{ openEt: '00:00', closeEt: '03:00' }, { openEt: '05:00', closeEt: '23:59' }], 'Thursday pause');
      await rig.clock.advance(61_000);
      const st = await venue.exchangeStatus();
      assert.equal(st.tradingActive, false);
      assert.equal(st.estimatedResumeMs, start + 120_000);
      const ticker = [...rig.sim.exchange.markets.keys()][0]!;
      await assert.rejects(
        rig.rest.createOrder({ ticker, client_order_id: 'mw-1', side: 'bid', count: '1.00', price: '0.0100', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true }),
        (e: unknown) => e instanceof KalshiApiError && e.code === 'exchange_unavailable',
      );
      await rig.clock.advance(60_000);
      assert.equal((await venue.exchangeStatus()).tradingActive, true);
    } finally {
      await rig.close();
    }
  });

  test('runs on a VirtualClock flowing at speed N: books move, trades print, markets settle', async () => {
    const keys = testKeys();
    // Time stands still while the sim starts, then flows 2000× wall time.
    const clock = new VirtualClock(etToMs(SIM_DATE, '09:59:00'));
    const sim = await startKalshiSim({ clock, seed: 11, dateEt: SIM_DATE, publicKeyPem: keys.publicPem, thresholdStrikes: 5, rangeBins: 4, takerProbability: 0.2,
      // At 2000× a few real milliseconds of request latency are virtual minutes: widen the skew window.
      signatureMaxSkewMs: 30 * 60_000 });
    clock.setSpeed(2000);
    try {
      const rest = new KalshiRestClient({ baseUrl: sim.restBase, clock, signer: KalshiSigner.fromPem(KEY_ID, keys.privatePem, clock) });
      const first = sim.exchange.events[0]!;
      await until(clock, () => sim.exchange.markets.get(first.markets[0]!.ticker)!.status === 'finalized', 'first event settled');
      assert.ok(sim.exchange.trades.length > 0, 'random takers traded');
      // Freeze time for the REST check: request timeouts and signature windows are in virtual time.
      clock.setSpeed(0);
      const m = await rest.getMarket(first.markets[0]!.ticker);
      assert.equal(m.status, 'finalized');
      assert.ok(m.result === 'yes' || m.result === 'no');
    } finally {
      await sim.close();
      clock.dispose();
    }
  });

  test('fees: ceil to $0.0001 of 0.07 × C × P × (1 − P)', () => {
    assert.equal(quadraticFee(0.07, 1, 100, 5000), 175); // 1 contract at 50¢ → $0.0175
    assert.equal(quadraticFee(0.07, 1, 10_000, 5000), 17_500); // 100 contracts → $1.75
    assert.equal(quadraticFee(0.07, 1, 100, 100), 7); // 1 contract at 1¢ → $0.000693 → $0.0007
    assert.equal(quadraticFee(0.07, 0.5, 10_000, 5000), 8750);
  });
});
