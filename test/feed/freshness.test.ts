import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS, FeedFreshness, freshLogLine, judgeFreshness, strictApplies } from '../../src/core/feed/freshness.ts';

test('soft threshold 1500 ms before strict_et, strict 800 ms from strict_et (inclusive bounds)', () => {
  const t = DEFAULT_THRESHOLDS;
  assert.equal(judgeFreshness(1500, 10, t, false).ok, true);
  assert.equal(judgeFreshness(1501, 10, t, false).stale, true);
  assert.equal(judgeFreshness(800, 10, t, true).ok, true);
  assert.deepEqual(judgeFreshness(801, 10, t, true), { ok: false, stale: true, ageMs: 801, lagMs: 10, thresholdMs: 800, strict: true });
  assert.equal(judgeFreshness(null, null, t, false).stale, true, 'never received is stale');
});

test('strict applies from strict_et on, never without a window', () => {
  const strictEt = Date.parse('2026-11-20T14:59:00Z');
  assert.equal(strictApplies(strictEt - 1, strictEt), false);
  assert.equal(strictApplies(strictEt, strictEt), true);
  assert.equal(strictApplies(strictEt + 5, strictEt), true);
  assert.equal(strictApplies(strictEt, undefined), false);
  assert.equal(strictApplies(strictEt, null), false);
});

test('the gate log line is exact', () => {
  assert.equal(freshLogLine(312, false, 'hourly-1000'), 'fresh WS ok age=312ms strict=false window=hourly-1000');
  assert.equal(freshLogLine(79.6, true, 'close-1600'), 'fresh WS ok age=80ms strict=true window=close-1600');
});

test('feed age is the stalest required symbol; lag is receipt − event time', () => {
  const f = new FeedFreshness(['I:SPX', 'I:NDX'], 1200);
  assert.equal(f.ageMs(1000), null);
  f.record('I:SPX', 1000, 990);
  assert.equal(f.ageMs(1500), null, 'NDX never seen: no age yet');
  assert.equal(f.symbolAgeMs('I:SPX', 1500), 500);
  f.record('I:NDX', 1200, 1150);
  f.record('I:SPX', 2000, 1995);
  assert.equal(f.ageMs(2100), 900, 'NDX (last 1200) is the stalest');
  assert.equal(f.lagMs(), 5);
  assert.equal(f.verdict(2100, DEFAULT_THRESHOLDS, true).stale, true);
  assert.equal(f.verdict(2100, DEFAULT_THRESHOLDS, false).ok, true);
});

test('freshSince measures continuous freshness exactly: a gap longer than the SLO restarts it', () => {
  const f = new FeedFreshness(['I:SPX'], 1200);
  for (let t = 0; t <= 5000; t += 1000) f.record('I:SPX', t, t);
  assert.equal(f.freshSince(5100), 0);
  f.record('I:SPX', 6200, 6200); // gap 1200: still continuous (age never exceeded 1200)
  assert.equal(f.freshSince(6300), 0);
  f.record('I:SPX', 7401, 7401); // gap 1201: broken
  assert.equal(f.freshSince(7500), 7401);
  assert.equal(f.freshSince(7401 + 1201), null, 'stale now → not fresh at all');
});

test('receipts that go back in time are ignored', () => {
  const f = new FeedFreshness(['I:SPX'], 1200);
  f.record('I:SPX', 5000, 5000);
  f.record('I:SPX', 4000, 4000);
  assert.equal(f.ageMs(5000), 0);
});
