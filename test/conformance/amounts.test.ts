/**
 * The exact 6-decimal amount unit (src/core/units.ts): micro-dollars for fees, costs, balances and PnL,
 * next to the 4-decimal price grid, which stays strict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMicros, parseDollars, parseMicros, pipsToMicroDollars, UnitParseError } from '../../src/core/units.ts';
import { FUZZ_SEED } from './fuzz-arbitraries.ts';

test('parseMicros keeps 6 places exactly; prices stay on the 4-place grid', () => {
  assert.equal(parseMicros('0.010097'), 10_097);
  assert.equal(parseMicros('0.0175'), 17_500);
  assert.equal(parseMicros('-1.5'), -1_500_000);
  assert.equal(parseMicros('9999.989903'), 9_999_989_903);
  assert.equal(parseMicros('0.560000'), 560_000);
  assert.equal(parseDollars('0.560000'), 5600, 'a 6-place price on the grid is still a price');
  assert.throws(() => parseDollars('0.010097'), UnitParseError);
  assert.throws(() => parseMicros('0.0100971'), (e: unknown) => e instanceof UnitParseError && /more than 6 decimal places/.test((e as Error).message));
  for (const bad of ['', '1e3', '.5', '0x10', 'NaN', '1,5']) assert.throws(() => parseMicros(bad), UnitParseError, bad);
  assert.equal(pipsToMicroDollars(175), 17_500);
});

test('formatMicros: 4 decimals unless more are needed; round-trips every amount', () => {
  assert.equal(formatMicros(10_097), '0.010097');
  assert.equal(formatMicros(17_500), '0.0175');
  assert.equal(formatMicros(0), '0.0000');
  assert.equal(formatMicros(-10_097), '-0.010097');
  assert.equal(formatMicros(123_450), '0.12345');
  assert.equal(formatMicros(17_500, 6), '0.017500');
  fc.assert(
    fc.property(fc.integer({ min: -1e15, max: 1e15 }), (m) => {
      const text = formatMicros(m);
      assert.equal(parseMicros(text), m);
      assert.match(text, /^-?\d+\.\d{4,6}$/);
    }),
    { seed: FUZZ_SEED, numRuns: 2000 },
  );
});
