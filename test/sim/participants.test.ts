/**
 * The simulated market's participants (src/sim/market/participants.ts) inside the exchange: the maker prices
 * off a delayed, noisy view of the generating process; informed takers hit mispriced resting orders after
 * their reaction delay and leave fair ones alone; noise takers trade; everything is seeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { SimExchange, type SimExchangeOptions } from '../../src/sim/kalshi/exchange.ts';
import {
  DEFAULT_PARTICIPANTS,
  informedLimitCents,
  makerFair,
  MakerFairs,
  makerTop,
  makerView,
  resolveParticipants,
} from '../../src/sim/market/participants.ts';
import { probYes } from '../../src/sim/market/oracle.ts';
import { etToMs } from '../../src/core/time/et.ts';

const DATE = '2026-11-20';

function exchange(startEt: string, o: Partial<SimExchangeOptions> = {}): { ex: SimExchange; clock: VirtualClock } {
  const clock = new VirtualClock(etToMs(DATE, startEt));
  const ex = new SimExchange({ clock, seed: 7, dateEt: DATE, thresholdStrikes: 7, rangeBins: 4, ...o });
  return { ex, clock };
}

/** The 11:00 INXU market whose strike is closest to the index now. */
function atTheMoney(ex: SimExchange): string {
  const ev = ex.events.find((e) => e.series === 'INXU' && e.targetEt === '11:00')!;
  const s = ex.spot('spx');
  return ev.markets.reduce((a, m) => (Math.abs(m.floorStrike! - s) < Math.abs(a.floorStrike! - s) ? m : a)).ticker;
}

test('knobs: defaults, partial overrides merged per field, bad values named', () => {
  const c = resolveParticipants({ informed: { reactionMs: 250 } });
  assert.equal(c.informed.reactionMs, 250);
  assert.equal(c.informed.ratePerMinute, DEFAULT_PARTICIPANTS.informed.ratePerMinute);
  assert.deepEqual(c.marketMaker, { ...DEFAULT_PARTICIPANTS.marketMaker });
  assert.throws(() => resolveParticipants({ noise: { probability: 2 } }), /noise\.probability/);
  assert.throws(() => resolveParticipants({ marketMaker: { levels: 0 } }), /marketMaker\.levels/);
  assert.throws(() => resolveParticipants({ informed: { reactionMs: -1 } }), /informed\.reactionMs/);
  // The exchange's shorthands win over the participants object.
  const { ex, clock } = exchange('10:50', { participants: { noise: { probability: 0.5 } }, takerProbability: 0.1, mmTickMs: 500 });
  assert.equal(ex.participants.noise.probability, 0.1);
  assert.equal(ex.participants.marketMaker.tickMs, 500);
  ex.close();
  clock.dispose();
});

test('informed limit: the last whole-cent price that clears the edge after the taker fee', () => {
  // p = 0.60, edge 1¢: 0.60 − 0.57 − 0.07·0.57·0.43 = 0.0128 ≥ 0.01; at 0.58 only 0.0029.
  assert.equal(informedLimitCents('buy', 0.6, 1, 1), 57);
  assert.equal(informedLimitCents('sell', 0.4, 1, 1), 43);
  assert.equal(informedLimitCents('buy', 0.005, 1, 1), undefined);
  assert.deepEqual(makerTop(0.5, 2), { bid: 48, ask: 52 });
  assert.deepEqual(makerTop(0.999, 2), { bid: 98, ask: 102 });
});

test('the maker prices off the index as it was latencyMs ago, with the true law (variance path and jumps) when noise is off', () => {
  const { ex, clock } = exchange('10:55', { participants: { marketMaker: { latencyMs: 3000, volNoise: 0 } }, mmTickMs: 0 });
  try {
    const ticker = atTheMoney(ex);
    const m = ex.markets.get(ticker)!;
    const now = clock.now();
    const path = ex.paths.spx;
    const law = path.lawBetween(now, m.spec.closeMs);
    assert.ok(law.jumpIntensity > 0 && law.jumpVar > 0, 'the regime world has jumps to come');
    const want = probYes(m.spec, path.valueAt(now - 3000), law);
    assert.ok(Math.abs(ex.fairYes(m) - want) < 1e-12, 'fair = P(YES | index 3 s ago, true law)');
    // Not the normal of the same total variance: the jumps' mixture is what it prices.
    const normal = probYes(m.spec, path.valueAt(now - 3000), path.logVarianceBetween(now, m.spec.closeMs));
    assert.ok(Math.abs(ex.fairYes(m) - normal) > 1e-6, `mixture ${ex.fairYes(m)} vs normal ${normal}`);
    assert.ok(Math.abs(makerFair(m.spec, makerView(path, m.spec.closeMs, now, 0, 0)) - ex.oracleYes(ticker)) < 1e-12, 'no latency, no noise: the oracle');
    // With noise the variance is scaled by exp(2η): same index, different spread.
    const noisy = new SimExchange({ clock, seed: 7, dateEt: DATE, thresholdStrikes: 7, rangeBins: 4, mmTickMs: 0, participants: { marketMaker: { latencyMs: 0, volNoise: 0.5 } } });
    assert.notEqual(noisy.fairYes(noisy.markets.get(ticker)!), ex.oracleYes(ticker), 'estimation noise moves the fair value');
    noisy.close();
  } finally {
    ex.close();
    clock.dispose();
  }
});

test('informed takers pick off a mispriced resting order after their reaction delay, and leave a fair one alone', async () => {
  const reactionMs = 700;
  const { ex, clock } = exchange('10:50', {
    mmTickMs: 1000,
    participants: { marketMaker: { enabled: false }, noise: { probability: 0 }, informed: { ratePerMinute: 600, reactionMs, minEdgeCents: 1 } },
  });
  try {
    const ticker = atTheMoney(ex);
    const p = ex.oracleYes(ticker);
    assert.ok(p > 0.15 && p < 0.85, `an uncertain market (p = ${p})`);
    const cheapAsk = Math.max(1, Math.floor(p * 100) - 10); // sells YES 10¢ below its value: mispriced
    const fairAsk = Math.min(99, Math.ceil(p * 100) + 10); // 10¢ above: fair for the seller
    const fairBid = Math.max(1, Math.floor(p * 100) - 12);
    const mk = (side: 'bid' | 'ask', cents: number, id: string) =>
      ex.create('user', { ticker, side, price: (cents / 100).toFixed(4), count: '5.00', time_in_force: 'good_till_canceled', post_only: true, self_trade_prevention_type: 'taker_at_cross', client_order_id: id });
    const bad = mk('ask', cheapAsk, 'bad').order;
    // A fair bid and (after the bad ask is gone) a fair ask: nothing informed should touch them.
    const okBid = mk('bid', fairBid, 'ok-bid').order;
    await clock.advance(10_000);
    assert.equal(bad.status, 'executed', `the mispriced ask at ${cheapAsk}¢ (true value ${(p * 100).toFixed(1)}¢) was taken`);
    const fill = ex.fills.find((f) => f.clientOrderId === 'bad')!;
    assert.ok(fill, 'a fill of the mispriced order');
    assert.ok(fill.tsMs - bad.createdMs >= reactionMs, `taken ${fill.tsMs - bad.createdMs} ms after it rested (reaction ${reactionMs} ms)`);
    const okAsk = mk('ask', fairAsk, 'ok-ask').order;
    await clock.advance(30_000);
    const drift = Math.abs(ex.oracleYes(ticker) - p);
    if (drift < 0.05) {
      assert.equal(okAsk.status, 'resting', 'a fairly priced ask is left alone');
      assert.equal(okBid.status, 'resting', 'a fairly priced bid is left alone');
    }
    assert.ok(ex.participantStats.informedLooks > 10, `looks ${ex.participantStats.informedLooks}`);
  } finally {
    ex.close();
    clock.dispose();
  }
});

test('seeded: the same seed trades the same tape; noise takers trade against the maker', async () => {
  const run = async () => {
    const { ex, clock } = exchange('10:50', { takerProbability: 0.2 });
    await clock.advance(120_000);
    const tape = ex.trades.map((t) => `${t.ticker}|${t.price}|${t.count}|${t.takerSide}|${t.tsMs}`);
    const stats = { ...ex.participantStats };
    ex.close();
    clock.dispose();
    return { tape, stats };
  };
  const a = await run();
  const b = await run();
  assert.ok(a.tape.length > 0, 'trades printed');
  assert.deepEqual(a.tape, b.tape, 'same seed, same tape');
  assert.deepEqual(a.stats, b.stats);
  assert.ok(a.stats.noiseOrders > 0 && a.stats.makerRequotes > 0, `stats ${JSON.stringify(a.stats)}`);
});

test('horizon: the maker leaves markets closing later than horizonMs unquoted', () => {
  const { ex, clock } = exchange('10:50', { participants: { marketMaker: { horizonMs: 30 * 60_000 } } });
  try {
    const quoted = (target: string) => ex.events.filter((e) => e.targetEt === target).flatMap((e) => e.markets).some((m) => ex.markets.get(m.ticker)!.bids.length + ex.markets.get(m.ticker)!.asks.length > 0);
    assert.equal(quoted('11:00'), true, 'the 11:00 ladder is quoted');
    assert.equal(quoted('14:00'), false, 'the 14:00 ladder is not (yet)');
  } finally {
    ex.close();
    clock.dispose();
  }
});

test('the maker is adversely selected by informed flow when it is slow and noisy', async () => {
  // Its trades against informed takers lose against the oracle at the trade instant.
  const { ex, clock } = exchange('15:45', {
    participants: { marketMaker: { latencyMs: 3000, volNoise: 0.3 }, noise: { probability: 0 }, informed: { ratePerMinute: 30, reactionMs: 200 } },
  });
  try {
    let edge = 0;
    let n = 0;
    ex.on((e) => {
      if (e.type !== 'trade') return;
      const p = ex.oracleYes(e.trade.ticker, e.trade.tsMs);
      const x = e.trade.price / 10_000;
      // Taker side bid = taker bought YES from the maker's ask: maker's edge x − p.
      edge += (e.trade.takerSide === 'bid' ? x - p : p - x) * (e.trade.count / 100);
      n += e.trade.count / 100;
    });
    await clock.advance(10 * 60_000);
    assert.ok(n > 0, 'informed takers traded');
    assert.ok(edge < 0, `maker's edge against the oracle: ${(edge / n * 100).toFixed(2)}¢ per contract over ${n} contracts`);
  } finally {
    ex.close();
    clock.dispose();
  }
});

test('the maker\'s vectorised fair values (MakerFairs) are fairYes number for number, across markets, indices, periods and ticks', () => {
  const { ex, clock } = exchange('10:00', { mmTickMs: 0, participants: { marketMaker: { volNoiseRefreshMs: 60_000 } } });
  try {
    const list = [...ex.markets.values()];
    const mm = ex.participants.marketMaker;
    const fairs = new MakerFairs(list.map((m) => m.spec), ex.paths, { seed: 7, dateEt: DATE, openMs: etToMs(DATE, '09:30'), latencyMs: mm.latencyMs, volNoise: mm.volNoise, volNoiseRefreshMs: mm.volNoiseRefreshMs });
    assert.ok(list.some((m) => m.spec.series === 'INXU') && list.some((m) => m.spec.series === 'NASDAQ100U'), 'both indices');
    let compared = 0;
    // Ticks 2 s apart over several η periods; every market that has not closed, in listing order and out of it.
    for (let t = 0; t < 400; t += 2) {
      const now = etToMs(DATE, '10:00') + t * 1000;
      const order = t % 4 === 0 ? list.map((_, i) => i) : list.map((_, i) => list.length - 1 - i);
      for (const i of order) {
        const m = list[i]!;
        if (now >= m.spec.closeMs) continue;
        assert.equal(fairs.fair(i, now), ex.fairYes(m, now), `${m.spec.ticker} at +${t}s`);
        compared++;
      }
    }
    assert.ok(compared > 1000, `${compared} comparisons`);
  } finally {
    ex.close();
    clock.dispose();
  }
});
