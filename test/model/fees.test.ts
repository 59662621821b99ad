import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FeeRuleError, feeFor, feeRule, makerEvPips, orderFeePips, resolveFeeSchedule } from '../../src/core/fees.ts';

const Q = (multiplier: number) => ({ feeType: 'quadratic', multiplier });
const QM = (multiplier: number) => ({ feeType: 'quadratic_with_maker_fees', multiplier });

// Hand-computed: fee = ceil(M × r × C × P × (1 − P)) in pips ($0.0001). E.g. 5¢ × 1 taker ×1:
// 0.07 × 0.05 × 0.95 = $0.003325 = 33.25 pips → 34.
const CASES: Array<[string, 'maker' | 'taker', number, number, number, number]> = [
  // schedule, liquidity, M, price pips, contracts, expected pips
  ['q', 'taker', 1, 100, 1, 7], ['q', 'taker', 1, 100, 100, 693],
  ['q', 'taker', 1, 500, 1, 34], ['q', 'taker', 1, 500, 100, 3325],
  ['q', 'taker', 1, 1000, 1, 63], ['q', 'taker', 1, 1000, 100, 6300],
  ['q', 'taker', 1, 2500, 1, 132], ['q', 'taker', 1, 2500, 100, 13125],
  ['q', 'taker', 1, 5000, 1, 175], ['q', 'taker', 1, 5000, 100, 17500],
  ['q', 'taker', 0.5, 100, 1, 4], ['q', 'taker', 0.5, 100, 100, 347],
  ['q', 'taker', 0.5, 500, 1, 17], ['q', 'taker', 0.5, 500, 100, 1663],
  ['q', 'taker', 0.5, 1000, 1, 32], ['q', 'taker', 0.5, 1000, 100, 3150],
  ['q', 'taker', 0.5, 2500, 1, 66], ['q', 'taker', 0.5, 2500, 100, 6563],
  ['q', 'taker', 0.5, 5000, 1, 88], ['q', 'taker', 0.5, 5000, 100, 8750],
  // plain quadratic: makers pay nothing
  ['q', 'maker', 1, 100, 1, 0], ['q', 'maker', 1, 5000, 100, 0], ['q', 'maker', 0.5, 2500, 100, 0],
  // maker fees: 0.0175 × M
  ['qm', 'maker', 1, 100, 1, 2], ['qm', 'maker', 1, 100, 100, 174],
  ['qm', 'maker', 1, 500, 1, 9], ['qm', 'maker', 1, 500, 100, 832],
  ['qm', 'maker', 1, 1000, 1, 16], ['qm', 'maker', 1, 1000, 100, 1575],
  ['qm', 'maker', 1, 2500, 1, 33], ['qm', 'maker', 1, 2500, 100, 3282],
  ['qm', 'maker', 1, 5000, 1, 44], ['qm', 'maker', 1, 5000, 100, 4375],
  ['qm', 'maker', 0.5, 100, 1, 1], ['qm', 'maker', 0.5, 100, 100, 87],
  ['qm', 'maker', 0.5, 500, 1, 5], ['qm', 'maker', 0.5, 500, 100, 416],
  ['qm', 'maker', 0.5, 1000, 1, 8], ['qm', 'maker', 0.5, 1000, 100, 788],
  ['qm', 'maker', 0.5, 2500, 1, 17], ['qm', 'maker', 0.5, 2500, 100, 1641],
  ['qm', 'maker', 0.5, 5000, 1, 22], ['qm', 'maker', 0.5, 5000, 100, 2188],
  ['qm', 'taker', 1, 5000, 100, 17500],
];

test('fees match hand-computed cases (1¢…50¢ × 1 and 100 contracts, maker/taker, M = 0.5 and 1)', () => {
  for (const [s, liq, m, price, n, expected] of CASES) {
    const sched = s === 'q' ? Q(m) : QM(m);
    assert.equal(feeFor(sched, liq, price, n * 100), expected, `${s} ${liq} M=${m} p=${price} C=${n}`);
  }
  // the headline example: 100 contracts at $0.50, taker ×1 = $1.75 exactly
  assert.equal(feeFor(Q(1), 'taker', 5000, 10_000), 17_500);
  // symmetric in P ↔ 1 − P
  assert.equal(feeFor(Q(1), 'taker', 9900, 100), 7);
});

test('combo maker fees are 0.5 × the 0.07 taker rate; flat and unknown types are refused', () => {
  assert.equal(feeFor({ feeType: 'quadratic_with_combo_maker_fees', multiplier: 1 }, 'maker', 5000, 10_000), 8750);
  assert.throws(() => feeRule({ feeType: 'flat', multiplier: 1 }, 'maker'), (e: unknown) => e instanceof FeeRuleError && /fee_type_unsupported:flat/.test((e as Error).message));
  assert.throws(() => feeRule({ feeType: 'mystery', multiplier: 1 }, 'taker'), FeeRuleError);
  assert.throws(() => feeRule(Q(0.1234567), 'taker'), FeeRuleError);
  assert.deepEqual(resolveFeeSchedule(Q(1), { multiplier: 0.5 }), Q(0.5));
  assert.deepEqual(resolveFeeSchedule(Q(1)), Q(1));
});

test('property: fee equals an independent BigInt ceil(M·r·C·P·(1−P)), for any size and grid price', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 1, max: 50_000_000 }),
      fc.constantFrom(0.25, 0.5, 1, 1.5, 2),
      fc.constantFrom('maker' as const, 'taker' as const),
      (p, c, m, liq) => {
        // r·M in units of 10⁻⁸: taker 0.07 → 7_000_000, maker (with maker fees) 0.0175 → 1_750_000
        const r = BigInt(liq === 'taker' ? 7_000_000 : 1_750_000) * BigInt(Math.round(m * 100));
        // pips = r/10⁸ · M/100 · c · p · (10⁴ − p) / 10⁶
        const num = r * BigInt(c) * BigInt(p) * BigInt(10_000 - p);
        const den = 10n ** 16n;
        const expected = Number((num + den - 1n) / den);
        assert.equal(orderFeePips(feeRule(QM(m), liq), p, c), expected);
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: EV after fees has the sign of the edge and never exceeds it', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 100_000 }), (p, q, c) => {
      const fee = feeFor(QM(1), 'maker', q, c);
      const buy = makerEvPips('buy', p, q, fee, c);
      const sell = makerEvPips('sell', p, q, fee, c);
      if (buy > 0) assert.ok(p * 10_000 > q);
      if (sell > 0) assert.ok(q > p * 10_000);
      assert.ok(buy <= p * 10_000 - q + 1e-9 && sell <= q - p * 10_000 + 1e-9);
    }),
    { numRuns: 1000 },
  );
});
