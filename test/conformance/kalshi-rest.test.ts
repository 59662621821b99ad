/**
 * Kalshi REST conformance: bodies built from the official SDK's models (kalshi-typescript 3.30.0) — full,
 * every optional field omitted, every nullable field null (SDK `| null` plus the OpenAPI fragments'
 * `nullable: true`), unknown extra fields at every level, and combinations — go through the real REST
 * client (a stub fetch answers) and the converters the engine uses. Every spec-allowed body must pass the
 * schemas; the domain may still refuse one it cannot use (a market without its strikes), but only with a
 * counted KalshiProtocolError. Negative bodies (one required field nulled at a time) are rejected cleanly
 * and counted, or parse when we do not read the field. Nothing else may escape.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { KalshiApiError, KalshiProtocolError } from '../../src/adapters/kalshi/errors.ts';
import { KalshiRestClient, type CreateOrderV2Request } from '../../src/adapters/kalshi/rest-client.ts';
import { KalshiVenue } from '../../src/adapters/kalshi/venue.ts';
import { toMarket } from '../../src/adapters/kalshi/convert.ts';
import { toOrderState } from '../../src/adapters/broker/live-broker.ts';
import { KEY_ID, testKeys, captureLogger } from '../kalshi/helpers.ts';
import { bodies, CLIENT_ID, EVENT, MODEL_OF, TICKER } from './kalshi-samples.ts';
import { sdkModels, sdkVersion } from './sdk-models.ts';
import { makeVariant, missingFields, nullRequiredVariants, SPEC_VARIANTS, type ModelLookup, type VModel } from './variants.ts';

const lookup: ModelLookup = (name) => sdkModels().get(name)?.fields as VModel | undefined;
type Key = keyof typeof bodies;

/** Which body each path answers with (the one under test is swapped in). */
function pathKey(method: string, path: string): Key {
  if (path === '/exchange/status') return 'getExchangeStatus';
  if (path === '/exchange/schedule') return 'getExchangeSchedule';
  if (path.startsWith('/series/')) return 'getSeries';
  if (path === '/events') return 'getEvents';
  if (path.startsWith('/events/')) return 'getEvent';
  if (path === '/markets') return 'getMarkets';
  if (path === '/markets/orderbooks') return 'getOrderbooks';
  if (path.endsWith('/orderbook')) return 'getOrderbook';
  if (path.startsWith('/markets/')) return 'getMarket';
  if (path === '/portfolio/orders') return 'getOrders';
  if (path.startsWith('/portfolio/orders/')) return 'getOrder';
  if (path === '/portfolio/fills') return 'getFills';
  if (path === '/portfolio/positions') return 'getPositions';
  if (path === '/portfolio/balance') return 'getBalance';
  if (path === '/portfolio/events/orders/batched') return method === 'DELETE' ? 'batchCancelOrders' : 'batchCreateOrders';
  if (path === '/portfolio/events/orders') return 'createOrder';
  if (path.endsWith('/amend')) return 'amendOrder';
  if (path.endsWith('/decrease')) return 'decreaseOrder';
  if (path.startsWith('/portfolio/events/orders/')) return 'cancelOrder';
  throw new Error(`no route for ${method} ${path}`);
}

function rig(key: Key, payload: unknown, status = 200) {
  const clock = new VirtualClock(Date.parse('2026-11-20T15:30:00Z'));
  const logs: string[] = [];
  const logger = captureLogger(logs);
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(input));
    const method = init?.method ?? 'GET';
    const k = pathKey(method, u.pathname.replace('/trade-api/v2', ''));
    const body = k === key ? payload : bodies[k];
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: k === key ? status : 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const signer = KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, clock);
  const rest = new KalshiRestClient({ baseUrl: 'http://conformance.invalid/trade-api/v2', clock, signer, fetchImpl, logger, retry: { maxAttempts: 1 } });
  const venue = new KalshiVenue(rest, clock, logger);
  return { clock, rest, venue, logs };
}

const ORDER_REQ: CreateOrderV2Request = { ticker: TICKER, client_order_id: CLIENT_ID, side: 'bid', count: '1.00', price: '0.4300', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true };

/** The client call (and domain conversion) that reads each body. */
const CALLS: Record<Exclude<Key, 'error'>, (r: ReturnType<typeof rig>) => Promise<unknown>> = {
  getExchangeStatus: (r) => r.venue.exchangeStatus(),
  getExchangeSchedule: (r) => r.venue.exchangeSchedule(),
  getSeries: (r) => r.venue.seriesFees('INXU'),
  getEvents: (r) => r.venue.listEvents({ series: 'INXU' }),
  getEvent: (r) => r.venue.getEvent(EVENT),
  getMarkets: async (r) => (await r.rest.getMarketsPage({ event_ticker: EVENT })).items.map((m) => toMarket(m)),
  getMarket: (r) => r.venue.getMarket(TICKER),
  getOrderbook: (r) => r.venue.getOrderBook(TICKER),
  getOrderbooks: (r) => r.venue.getOrderBooks([TICKER]),
  getOrders: async (r) => {
    const o = await r.rest.findOrderByClientId(TICKER, CLIENT_ID);
    return o && toOrderState(o, r.clock.now());
  },
  getOrder: async (r) => toOrderState(await r.rest.getOrder('x'), r.clock.now()),
  getFills: (r) => r.rest.listFills({ ticker: TICKER }),
  getPositions: (r) => r.rest.listPositions({ ticker: TICKER }),
  getBalance: (r) => r.rest.getBalance(),
  createOrder: (r) => r.rest.createOrder(ORDER_REQ),
  cancelOrder: (r) => r.rest.cancelOrder('x'),
  amendOrder: (r) => r.rest.amendOrder('x', { ticker: TICKER, side: 'bid', price: '0.4300', count: '2.00' }),
  decreaseOrder: (r) => r.rest.decreaseOrder('x', { reduce_to: '0.50' }),
  batchCreateOrders: (r) => r.rest.batchCreateOrders([ORDER_REQ]),
  batchCancelOrders: (r) => r.rest.batchCancelOrders([{ order_id: 'x' }]),
};
const ENDPOINTS = Object.keys(CALLS) as Exclude<Key, 'error'>[];

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'schema'; message: string } | { kind: 'domain'; message: string };

/** Runs one body through its reader; anything but success or a counted KalshiProtocolError fails the test. */
async function run(key: Exclude<Key, 'error'>, payload: unknown): Promise<Outcome> {
  const r = rig(key, payload);
  try {
    return { kind: 'ok', value: await CALLS[key](r) };
  } catch (e) {
    assert.ok(e instanceof KalshiProtocolError, `${key}: escaped with ${(e as Error)?.name}: ${(e as Error)?.message}`);
    const schema = r.rest.stats.rejectedBodies;
    const domain = r.venue.stats.rejected;
    // Counted where it happened (conversions outside the venue are the callers' own to count).
    const outsideVenue = key === 'getMarkets';
    assert.ok(schema + domain === 1 || (outsideVenue && schema === 0), `${key}: rejection not counted (schema ${schema}, domain ${domain})`);
    assert.ok(r.logs.some((l) => l.includes('rejected')) || outsideVenue, `${key}: rejection not logged`);
    return { kind: schema === 1 ? 'schema' : 'domain', message: e.message };
  }
}

/** Refusals the domain is entitled to: markets (nested or not) without what pricing needs. */
const DOMAIN_REASONS = /no strike_type|without its strike|no markets and no strike_date/;
const tally: [string, string[]][] = [];

describe(`Kalshi REST conformance (official SDK kalshi-typescript ${sdkVersion()})`, () => {
  test('the samples are complete: every field each SDK model defines is present', () => {
    for (const [k, model] of Object.entries(MODEL_OF)) assert.deepEqual(missingFields(bodies[k as Key], model, lookup), [], `${k} (${model})`);
  });

  for (const key of ENDPOINTS) {
    test(`${key}: full / minimal / nulls / extras bodies pass the schemas; negative bodies are rejected cleanly`, async () => {
      const outcomes: string[] = [];
      for (const v of SPEC_VARIANTS) {
        const payload = makeVariant(bodies[key], MODEL_OF[key], lookup, v);
        const o = await run(key, payload);
        assert.notEqual(o.kind, 'schema', `${key} ${v}: the schema refused a body the definitions allow: ${o.kind !== 'ok' ? o.message : ''}`);
        if (o.kind === 'domain') assert.match(o.message, DOMAIN_REASONS, `${key} ${v}`);
        if (v === 'full' || v === 'extras') assert.equal(o.kind, 'ok', `${key} ${v}: ${o.kind !== 'ok' ? o.message : ''}`);
        outcomes.push(`${v}:${o.kind}`);
      }
      for (const [path, payload] of nullRequiredVariants(bodies[key], MODEL_OF[key], lookup)) {
        const o = await run(key, payload);
        if (o.kind !== 'ok') assert.doesNotMatch(o.message, /\[object|undefined|NaN/, `${key} ${path}: unclear message`);
        outcomes.push(`${path}:${o.kind}`);
      }
      tally.push([key, outcomes]);
      if (process.env.CONFORMANCE_VERBOSE) console.log(key, outcomes.join(' '));
    });
  }

  test('payload count', (t) => {
    const n = tally.reduce((a, [, o]) => a + o.length, 0);
    t.diagnostic(`${n} REST bodies over ${tally.length} endpoints (${tally.length * SPEC_VARIANTS.length} spec-allowed, ${n - tally.length * SPEC_VARIANTS.length} negative)`);
    assert.ok(n >= 300, `only ${n} bodies`);
  });

  test('issue 12 shapes: null book sides, null STP (and the 409 lookup through it), 6-decimal amounts, null settlement value', async () => {
    const book = await run('getOrderbook', { orderbook_fp: { yes_dollars: null, no_dollars: [['0.5300', '80.50']] } });
    assert.equal(book.kind, 'ok');
    assert.deepEqual((book as { value: { yesBids: unknown[]; noBids: unknown[] } }).value.yesBids, []);
    const absent = await run('getOrderbooks', { orderbooks: [{ ticker: TICKER, orderbook_fp: {} }] });
    assert.equal(absent.kind, 'ok');

    const stp = { ...bodies.getOrder.order, self_trade_prevention_type: null, order_group_id: null, subaccount_number: null };
    const found = await run('getOrders', { orders: [stp], cursor: '' });
    assert.equal(found.kind, 'ok');
    assert.equal((found.value as { clientOrderId: string }).clientOrderId, CLIENT_ID);

    // A lost create answered 409: the duplicate is resolved through a page holding a null-STP order.
    const r = rig('getOrders', { orders: [stp], cursor: '' });
    const fetch409 = (async (input: string | URL | Request, init?: RequestInit) => {
      const path = new URL(String(input)).pathname;
      if (path.endsWith('/portfolio/events/orders') && init?.method === 'POST') return new Response(JSON.stringify({ error: { code: 'order_already_exists', message: 'exists' } }), { status: 409 });
      return new Response(JSON.stringify({ orders: [stp], cursor: '' }), { status: 200 });
    }) as typeof fetch;
    const rest409 = new KalshiRestClient({ baseUrl: 'http://conformance.invalid/trade-api/v2', clock: r.clock, signer: KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, r.clock), fetchImpl: fetch409 });
    const dup = await rest409.createOrder(ORDER_REQ);
    assert.equal(dup.duplicate, true);
    assert.equal(dup.order_id, bodies.getOrder.order.order_id);

    const fills = await run('getFills', { fills: [{ ...bodies.getFills.fills[0]!, fee_cost: '0.010097' }], cursor: '' });
    assert.equal(fills.kind, 'ok');
    const settled = await run('getMarket', { market: { ...bodies.getMarket.market, settlement_value_dollars: null, result: '' } });
    assert.equal(settled.kind, 'ok');
    const sixPlaces = await run('getMarket', { market: { ...bodies.getMarket.market, result: 'yes', settlement_value_dollars: '1.000000' } });
    assert.ok(sixPlaces.kind === 'ok', 'a 6-place settlement value parses');
    assert.equal((sixPlaces.value as { settlementValue: number }).settlementValue, 10_000);
  });

  test('prices stay on the $0.0001 grid; amounts keep 6 places; more is a counted rejection', async () => {
    const off = await run('getOrder', { order: { ...bodies.getOrder.order, yes_price_dollars: '0.430001' } });
    assert.equal(off.kind, 'schema');
    assert.match((off as { message: string }).message, /order\.yes_price_dollars: expected a dollar price on the \$0\.0001 grid/);
    const seven = await run('getFills', { fills: [{ ...bodies.getFills.fills[0]!, fee_cost: '0.0100971' }], cursor: '' });
    assert.equal(seven.kind, 'schema');
    assert.match((seven as { message: string }).message, /fee_cost: expected a dollar amount with at most 6 decimals/);
  });

  test('error bodies: nested, flat (OpenAPI ErrorResponse), string (429) and anything else → KalshiApiError with the code', async () => {
    const forms: [unknown, number, string][] = [
      [{ error: bodies.error }, 400, 'invalid_order'],
      [bodies.error, 400, 'invalid_order'],
      [{ error: 'too many requests' }, 429, 'too_many_requests'],
      [{ exchange_active: false, trading_active: false, exchange_estimated_resume_time: null }, 503, 'exchange_unavailable'],
      ['<html>bad gateway</html>', 502, 'http_502'],
      [makeVariant(bodies.error, 'ErrorResponse', lookup, 'minimal'), 404, 'http_404'],
      [makeVariant({ error: bodies.error }, 'ErrorResponse', lookup, 'extras'), 400, 'invalid_order'],
    ];
    for (const [body, status, code] of forms) {
      const r = rig('getMarket', body, status);
      await assert.rejects(r.rest.getMarket(TICKER), (e: unknown) => e instanceof KalshiApiError && e.status === status && e.code === code, JSON.stringify(body).slice(0, 80));
    }
  });
});
