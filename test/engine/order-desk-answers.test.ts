/**
 * One engine whether the broker answers at once (the dry broker: a value, or a throw) or later (a promise,
 * as the live broker does): the order desk takes the same steps to the same quoting state either way
 * (engine/answer.ts; issue 20's synchronous fast path), and a synchronous throw is an unknown outcome
 * exactly as a rejected promise is — never a blind resend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { DryBroker } from '../../src/adapters/broker/dry-broker.ts';
import { OrderDesk } from '../../src/engine/order-desk.ts';
import { isPromise } from '../../src/engine/answer.ts';
import { newQuotingState, type SeriesQuotingState } from '../../src/core/quoting/state.ts';
import type { Broker } from '../../src/ports/broker.ts';
import type { Market } from '../../src/core/market.ts';
import type { Quote } from '../../src/core/quotes/types.ts';
import type { SpotReading } from '../../src/ports/trading.ts';
import type { TradingWindow } from '../../src/core/windows.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { book, T, zeroFee } from '../paper/helpers.ts';

const START = Date.UTC(2026, 10, 20, 14, 50);
const WINDOW = { id: '2026-11-20/hourly-1000', label: 'hourly-1000', targetType: 'hourly', dateEt: '2026-11-20', series: ['INXU'], startMs: START, strictMs: START + 540_000, freezeMs: START + 595_000, targetMs: START + 600_000 } as TradingWindow;
const MARKET = { ticker: T } as Market;
const SPOT = { ok: true, value: 6800, ageMs: 10, activeFeed: 'polygon' } as SpotReading;

const quote = (id: string, side: 'buy' | 'sell', price: number): Quote =>
  ({ marketTicker: T, side, price, size: 100, feePips: 0, evPips: 10, evCents: 0.1, modelProb: 0.5, worstLossPips: price, clientOrderId: id, revision: 0, kept: false }) as Quote;

/** The same broker, answering every call with a promise (a throw becomes a rejection). */
function later(b: Broker): Broker {
  const wrap = <T>(f: () => T | Promise<T>): Promise<T> => new Promise((resolve) => resolve(f()));
  return new Proxy(b, {
    get(target, key) {
      if (key === 'place' || key === 'cancel' || key === 'lookup') {
        return (...args: unknown[]) => wrap(() => (target[key] as (...a: unknown[]) => unknown).apply(target, args));
      }
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

async function run(answerLater: boolean, failPlace: string | undefined): Promise<{ state: SeriesQuotingState; sync: boolean[] }> {
  const clock = new VirtualClock(START);
  const dry = new DryBroker({ clock, fee: zeroFee });
  dry.onBook(book([[5500, 200]], [[4300, 100]]));
  const inner: Broker = failPlace
    ? new Proxy(dry, { get: (t, k) => (k === 'place' ? (i: { clientOrderId: string }) => { if (i.clientOrderId === failPlace) throw new Error('no answer'); return t.place(i as never); } : Reflect.get(t, k).bind?.(t) ?? Reflect.get(t, k)) })
    : dry;
  const broker = answerLater ? later(inner) : inner;
  const state = newQuotingState(WINDOW.id, 'INXU');
  const desk = new OrderDesk(WINDOW, 'INXU', state, { clock, broker, journal: { describe() {} }, log: silentLogger, changed: () => {} });
  const sync: boolean[] = [];
  const step = async (x: void | Promise<void>) => {
    sync.push(!isPromise(x));
    await x;
  };
  await step(desk.place(quote('a', 'buy', 5400), MARKET, SPOT));
  await step(desk.place(quote('b', 'sell', 5800), MARKET, SPOT));
  await step(desk.place(quote('c', 'buy', 5300), MARKET, SPOT));
  await step(desk.cancel('a', 'replaced'));
  const resolved = desk.resolveUnknown();
  sync.push(!isPromise(resolved));
  assert.equal(await resolved, true, 'the unknown order is looked up and resolved');
  await desk.cancelOwn('freeze');
  clock.dispose();
  return { state, sync };
}

test('order desk: the same quoting state whether the broker answers at once or with promises; a throw is an unknown outcome, looked up', async () => {
  for (const fail of [undefined, 'b']) {
    const now = await run(false, fail);
    const then = await run(true, fail);
    assert.deepEqual(now.state, then.state, `same state (failing place: ${fail ?? 'none'})`);
    assert.deepEqual(now.sync, [true, true, true, true, fail === undefined], 'at once with the dry broker (the lookup of an unknown order takes the asynchronous way)');
    assert.deepEqual(then.sync, [false, false, false, false, fail === undefined], 'later with promises');
    assert.deepEqual(Object.keys(now.state.orders), [], 'nothing live after the cancel-all');
    const orders = Object.values(now.state.closed);
    assert.equal(orders.length, 3);
    assert.ok(orders.every((o) => o.status === 'canceled' || o.status === 'rejected'), JSON.stringify(orders.map((o) => [o.clientOrderId, o.status])));
    assert.deepEqual(orders.map((o) => o.clientOrderId).sort(), ['a', 'b', 'c']);
    if (fail) assert.equal(now.state.closed[fail]!.status, 'rejected', 'the order whose send threw was looked up (never re-sent) and found not received');
  }
});
