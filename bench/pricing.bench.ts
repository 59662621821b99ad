/**
 * Pricing + quote selection for a 40-market ladder (SPEC §10: microseconds; issue 20: ≤ 6 µs median, and
 * selection no slower than the pricing it follows).
 * Measures `quoteLadder`: forecast, P(YES) for every market, maker quote selection with fees and caps —
 * for threshold and range ladders, normal and Student-t shocks, a fresh selection and a refresh with the
 * previous quotes resting, each with the conditions the engine passes (margin, timing rules). Every case
 * also reports its two halves as extra fields: `pricing_us` (forecast + P(YES)), `selection_us`
 * (selectQuotes alone, with that case's resting orders) and their ratio `selection_over_pricing`.
 */
import { latency, round, type Report } from './harness.ts';
import type { Market, OrderBook } from '../src/core/market.ts';
import { CalibratedCurve } from '../src/core/model/curve.ts';
import { priceLadder } from '../src/core/model/ladder-pricing.ts';
import { forecast, type ModelSpec } from '../src/core/model/forecast.ts';
import { quoteLadder, quotePolicy, selectQuotes, type RestingQuote } from '../src/core/quotes/index.ts';
import { defaultIndexOps } from '../src/config/index-ops.ts';
import { toMarket } from '../src/adapters/kalshi/convert.ts';
import { MarketSchema } from '../src/adapters/kalshi/schemas.ts';

const CLOSE = Date.UTC(2026, 10, 20, 15, 0);

/**
 * A 40-market ladder as the exchange lists it, validated and converted by the real adapter (MarketSchema,
 * `toMarket`), so the objects have the shape production code sees (object layout matters at this scale:
 * the same ladder built with object spread prices and selects ~25 % slower).
 */
function ladder(kind: 'threshold' | 'range', n: number, spot: number): Market[] {
  const ev = kind === 'threshold' ? 'KXINXU-26NOV20H1000' : 'KXINX-26NOV20H1600';
  const low = spot - (n / 2) * 10;
  return Array.from({ length: n }, (_, i): Market => {
    const f = low + i * 10;
    const wire = {
      event_ticker: ev,
      open_time: '2026-11-19T22:00:00Z',
      close_time: new Date(CLOSE).toISOString(),
      status: 'active',
      price_ranges: [{ start: '0.0100', end: '0.9900', step: '0.0100' }],
    };
    const strikes =
      kind === 'threshold' || i === n - 1
        ? { ticker: `${ev}-T${f}`, strike_type: 'greater_or_equal', floor_strike: f, cap_strike: null }
        : i === 0
          ? { ticker: `${ev}-T${f}`, strike_type: 'less', floor_strike: null, cap_strike: f + 10 }
          : { ticker: `${ev}-B${f + 5}`, strike_type: 'between', floor_strike: f, cap_strike: f + 9.9999 };
    return toMarket(MarketSchema.parse({ ...wire, ...strikes }));
  });
}

function books(markets: Market[], spot: number, sigma: number): Map<string, OrderBook> {
  const f = forecast(spot, 15, { curve: new CalibratedCurve([{ minutes: 15, sigma, drift: 0 }], 0), sigmaFloor: 0, kappa: 1, dist: { kind: 'normal' } });
  const pr = priceLadder(markets, f);
  return new Map(
    markets.map((m, i) => {
      const p = pr[i]!.ok ? (pr[i] as { pYes: number }).pYes : 0.5;
      // a market maker around a slightly different fair value, 4–6 ticks wide
      const mid = Math.min(9700, Math.max(300, Math.round((p * 10_000 + 250 * Math.sin(i)) / 100) * 100));
      return [m.ticker, { ticker: m.ticker, yesBids: [{ price: mid - 200, size: 1000 }, { price: mid - 300, size: 2000 }], noBids: [{ price: 10_000 - mid - 300, size: 1000 }], tsMs: CLOSE - 15 * 60_000 - 400 }];
    }),
  );
}

const TARGET = '<= 6 us';

export default async function run(report: Report): Promise<void> {
  const cfg = defaultIndexOps();
  const policy = quotePolicy(cfg);
  const spot = 6801.25;
  const model: ModelSpec = {
    curve: new CalibratedCurve(Array.from({ length: 60 }, (_, i) => ({ minutes: i + 1, sigma: 1.1 * Math.sqrt(i + 1), drift: 0.01 * (i + 1) })), 0.9),
    sigmaFloor: cfg.model.sigma_floor_1m_points,
    kappa: 1,
    dist: { kind: 'normal' },
  };
  const fees = { feeType: 'quadratic_with_maker_fees', multiplier: 1 };
  for (const kind of ['threshold', 'range'] as const) {
    for (const dist of ['normal', 't'] as const) {
      const markets = ladder(kind, 40, spot);
      const b = books(markets, spot, 4.3);
      const event = { eventTicker: markets[0]!.eventTicker, series: markets[0]!.series, closeTimeMs: CLOSE, markets };
      const spec: ModelSpec = { ...model, dist: dist === 't' ? { kind: 't', dof: 5 } : { kind: 'normal' } };
      let tick = 0;
      const nowMs = CLOSE - 15 * 60_000;
      // What the engine passes every cycle: the margin and timing rules apply (feed 150 ms old, to the freeze).
      const conditions = { feedAgeMs: 150, restMs: 15 * 60_000 - 2_000 };
      const input = { event, books: b, nowMs, model: spec, fees, windowId: '2026-11-20/hourly-1000', policy, exposure: { lossBudgetPips: 500_000 }, conditions };
      // One object literal per call, as the engine builds it (a spread here would time the spread).
      const ladderAt = (s: number, resting?: RestingQuote[]) =>
        quoteLadder({ event, books: b, spot: s, nowMs, model: spec, fees, windowId: input.windowId, policy, exposure: input.exposure, conditions, resting });
      const first = ladderAt(spot);
      const resting: RestingQuote[] = first.selection.quotes.map((q) => ({ ...q }));
      const jitter = () => spot + ((tick++ & 7) - 4) * 0.05;

      // The halves of each case, measured on their own: forecast + P(YES), and selection alone on a fixed
      // pricing with the same conditions (and, for the refresh case, the same resting orders). Issue 20:
      // selection no slower than pricing.
      const pricingOnly = latency('pricing only', () => void priceLadder(markets, forecast(jitter(), 15, spec)), { iterations: 10_000, target: TARGET });
      const selectConditions = { ...conditions, nowMs, minutesToTarget: 15 };
      const selectionOf = (rest?: RestingQuote[]) =>
        latency('selection only', () => void selectQuotes({ windowId: input.windowId, markets, pricing: first.pricing, books: b, fees, policy, exposure: input.exposure, conditions: selectConditions, resting: rest }), {
          iterations: 10_000,
          target: TARGET,
        });
      const halves = (sel: { median: number }) => ({ pricing_us: pricingOnly.median, selection_us: sel.median, selection_over_pricing: round(sel.median / pricingOnly.median) });
      const fresh = selectionOf();
      report(
        latency(`pricing+selection: 40 ${kind} markets, ${dist}`, () => void ladderAt(jitter()), {
          iterations: 20_000,
          target: TARGET,
          extra: { quotes: first.selection.quotes.length, ...halves(fresh) },
        }),
      );
      const refresh = selectionOf(resting);
      report(
        latency(`pricing+selection: 40 ${kind} markets, ${dist}, refresh with ${resting.length} resting`, () => void ladderAt(jitter(), resting), {
          iterations: 20_000,
          target: TARGET,
          extra: halves(refresh),
        }),
      );
    }
  }
}
