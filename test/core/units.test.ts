import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCount, formatDollars, parseCount, parseDollars, UnitParseError } from '../../src/core/units.ts';
import { applyDelta, bestYesAsk, bestYesBid } from '../../src/core/book.ts';

test('dollar strings parse to exact pips and back', () => {
  assert.equal(parseDollars('0.5600'), 5600);
  assert.equal(parseDollars('0.56'), 5600);
  assert.equal(parseDollars('0.0001'), 1);
  assert.equal(parseDollars('1.0000'), 10000);
  assert.equal(parseDollars('0.960'), 9600);
  assert.equal(parseDollars('0.120000'), 1200); // 6dp allowed when the extra digits are zero
  assert.throws(() => parseDollars('0.12345'), UnitParseError);
  assert.throws(() => parseDollars('abc'), UnitParseError);
  assert.throws(() => parseDollars(''), UnitParseError);
  assert.equal(formatDollars(5600), '0.5600');
  assert.equal(formatDollars(1), '0.0001');
  assert.equal(parseCount('10.00'), 1000);
  assert.equal(parseCount('-54.00'), -5400);
  assert.equal(parseCount('0.01'), 1);
  assert.throws(() => parseCount('0.001'), UnitParseError);
  assert.equal(formatCount(1000), '10.00');
  assert.equal(formatCount(-5400), '-54.00');
});

test('round trip is exact for every pip and centi-contract value (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), (p) => parseDollars(formatDollars(p)) === p));
  fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), (c) => parseCount(formatCount(c)) === c));
});

test('book helpers: YES ask from NO bids, signed deltas keep best-first order', () => {
  let book = { ticker: 'X', yesBids: [{ price: 4500, size: 100 }], noBids: [{ price: 5300, size: 200 }], tsMs: 0 };
  assert.deepEqual(bestYesBid(book), { price: 4500, size: 100 });
  assert.deepEqual(bestYesAsk(book), { price: 4700, size: 200 });
  book = { ...book, yesBids: applyDelta(book.yesBids, 4600, 50) };
  assert.deepEqual(book.yesBids, [{ price: 4600, size: 50 }, { price: 4500, size: 100 }]);
  assert.deepEqual(applyDelta(book.yesBids, 4600, -50), [{ price: 4500, size: 100 }]);
  assert.deepEqual(applyDelta(book.yesBids, 4400, 10).map((l) => l.price), [4600, 4500, 4400]);
});
