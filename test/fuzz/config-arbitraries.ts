/** Inputs for the config fuzz tests (test/fuzz/config-fuzz.test.ts): text for each config file. */
import fc from 'fast-check';
import { anyText, anyTree, JSON_TOKENS, mostly, objectOf, tokenSoup, value, YAML_TOKENS, yamlOf } from './arbitraries.ts';

const WINDOW_KEYS = ['hourly_targets', 'early_close_last_hourly', 'hourly_start_offset_minutes', 'close_start_offset_minutes', 'strict_offset_seconds', 'freeze_offset_seconds'];
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 0, 30, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
/** A windows section that is often valid, so the accept path and its invariants get exercised too. */
const windowsSection = fc.record(
  {
    hourly_targets: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('10:00', '11:00', '12:00', '13:00', '14:00', '15:00') }, hhmm), { minLength: 1, maxLength: 7 }),
    early_close_last_hourly: fc.oneof(fc.constantFrom('11:00', '12:00', '12:30'), hhmm),
    hourly_start_offset_minutes: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom(15, 29, 30, 60, 61, 1e6)),
    close_start_offset_minutes: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom(1, 2, 10, 60, 61, 200, 1e6)),
    strict_offset_seconds: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(60, 600, 3600)),
    freeze_offset_seconds: fc.integer({ min: 1, max: 70 }),
  },
  { requiredKeys: [] },
);
const indexOpsTree = fc.oneof(
  { weight: 3, arbitrary: fc.record({ windows: windowsSection }, { requiredKeys: [] }) },
  {
    // Up to three sections at a time, over the real keys (all of them reach their validators in turn).
    weight: 3,
    arbitrary: fc
      .shuffledSubarray(
        [
          ['windows', fc.oneof(windowsSection, objectOf(WINDOW_KEYS))],
          ['freshness', objectOf(['soft_ms', 'strict_ms'])],
          ['feeds', objectOf(['polygon', 'massive', 'failover_slo_ms', 'return_after_ms', 'ping_interval_ms', 'idle_timeout_ms', 'reconnect_base_ms', 'reconnect_max_ms'])],
          ['quotes', objectOf(['min_ev_usd', 'max_bins_per_series', 'contracts', 'ev_hysteresis_usd'])],
          ['risk', objectOf(['max_contracts_per_market', 'max_contracts_per_window', 'daily_loss_cap_usd'])],
          ['model', objectOf(['dist', 't_dof', 'default_annual_vol', 'sigma_floor_points', 'kappa_cap', 'calibration_stale_days'])],
          ['kalshi', objectOf(['rest_backoff_base_ms', 'rest_backoff_max_ms', 'ws_reconnect_base_ms', 'ws_reconnect_max_ms', 'read_tokens_per_s'])],
          ['preflight', objectOf(['max_clock_drift_ms', 'retry_interval_s'])],
          ['housekeeping', objectOf(['keep_days'])],
        ] as const,
        { minLength: 1, maxLength: 3 },
      )
      .chain((sections) => fc.tuple(...sections.map(([k, arb]) => (arb as fc.Arbitrary<unknown>).map((v) => [k, v] as const))))
      .map((pairs) => Object.fromEntries(pairs)),
  },
  { weight: 1, arbitrary: anyTree },
);
export const indexOpsText = fc.oneof({ weight: 5, arbitrary: yamlOf(indexOpsTree) }, { weight: 2, arbitrary: tokenSoup(['windows:', 'hourly_targets', 'quotes:', ...YAML_TOKENS]) }, { weight: 1, arbitrary: anyText });

const calEntry = objectOf(['date', 'close', 'reason'], fc.oneof({ weight: 3, arbitrary: value }, { weight: 2, arbitrary: fc.constantFrom('2026-12-28', '2026-12-30', '2027-01-04', '2025-12-31', '11:00', '12:30', '13:00', '14:00') }));
const calTree = fc.oneof(
  { weight: 4, arbitrary: fc.record({ closures: fc.array(calEntry, { maxLength: 3 }), early_closes: fc.array(calEntry, { maxLength: 3 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyTree },
);
export const calText = fc.oneof({ weight: 5, arbitrary: yamlOf(calTree) }, { weight: 2, arbitrary: tokenSoup(['closures:', 'early_closes:', 'date: ', 'close: ', ...YAML_TOKENS]) }, { weight: 1, arbitrary: anyText });

const eventsTree = fc.oneof(
  { weight: 4, arbitrary: fc.record({ days: fc.array(objectOf(['date', 'tags', 'note'], fc.oneof(value, fc.array(fc.constantFrom('CPI', 'fomc', 'NFP', 'a b', ''), { maxLength: 3 }))), { maxLength: 4 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyTree },
);
export const eventsText = fc.oneof({ weight: 5, arbitrary: yamlOf(eventsTree) }, { weight: 2, arbitrary: tokenSoup(['days:', 'date: ', 'tags: ', ...YAML_TOKENS]) }, { weight: 1, arbitrary: anyText });

const feeEntry = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        from: mostly(fc.constantFrom('2025-10-01T00:00:00Z', '2026-07-03T17:00:00Z', '2026-07-03T13:00:00-04:00', '2026-11-20T15:00:00.5Z')),
        fee_type: mostly(fc.constantFrom('quadratic', 'quadratic_with_maker_fees', 'quadratic_with_combo_maker_fees', 'flat')),
        fee_multiplier: mostly(fc.oneof(fc.constantFrom(0, 0.5, 1, 2, 0.000001, 1e-7, 0.1 + 0.2), fc.double({ min: 0, max: 10, noNaN: true }))),
        source: mostly(fc.string({ maxLength: 8 })),
      },
      { requiredKeys: ['from', 'fee_type', 'fee_multiplier'] },
    ),
  },
  { weight: 1, arbitrary: objectOf(['from', 'fee_type', 'fee_multiplier', 'source']) },
);
const seriesKey = fc.constantFrom('INXU', 'KXINXU', 'kxinxu', 'NASDAQ100U', 'INX', 'KXNASDAQ100', 'KXFOO', '');
const eventKey = fc.constantFrom('KXINX-26NOV20H1600', 'kxinxu-26nov20h1000', 'KXBTC-1', 'KXINX', '__proto__', '');
const override = fc.record(
  {
    fee_type_override: mostly(fc.constantFrom('quadratic', 'quadratic_with_maker_fees', 'flat', 'free')),
    fee_multiplier_override: mostly(fc.constantFrom(0, 0.25, 1, 3, 1e-9)),
  },
  { requiredKeys: [] },
);
const feesTree = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        $comment: mostly(fc.string({ maxLength: 20 })),
        series: fc.dictionary(seriesKey, fc.array(feeEntry, { maxLength: 3 }), { maxKeys: 3 }),
        events: fc.dictionary(eventKey, override, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyTree },
);
export const feesText = fc.oneof(
  { weight: 4, arbitrary: feesTree.map((t) => JSON.stringify(t) ?? 'undefined') },
  { weight: 1, arbitrary: fc.tuple(feesTree, fc.nat()).map(([t, n]) => (JSON.stringify(t) ?? '').slice(0, n % 200)) },
  { weight: 2, arbitrary: tokenSoup(JSON_TOKENS) },
  { weight: 1, arbitrary: anyText },
);

