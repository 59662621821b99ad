import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';

test('manual virtual clock fires timers in order at their own instants', async () => {
  const clock = new VirtualClock(1_000);
  const fired: [string, number][] = [];
  clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
  clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
  const c = clock.setTimeout(() => fired.push(['c', clock.now()]), 150);
  clock.clearTimeout(c);
  assert.equal(clock.now(), 1_000);
  await clock.advance(150);
  assert.deepEqual(fired, [['a', 1_100]]);
  assert.equal(clock.now(), 1_150);
  await clock.advance(1_000);
  assert.deepEqual(fired, [['a', 1_100], ['b', 1_200]]);
  assert.equal(clock.now(), 2_150);
});

test('chained sleeps settle between timers (async code runs on virtual time)', async () => {
  const clock = new VirtualClock(0);
  const seen: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 5; i++) {
      await clock.sleep(1_000);
      seen.push(clock.now());
    }
  })();
  await clock.advance(10_000);
  await loop;
  assert.deepEqual(seen, [1_000, 2_000, 3_000, 4_000, 5_000]);
});

test('sleep rejects when aborted and leaves no timer behind', async () => {
  const clock = new VirtualClock(0);
  const ac = new AbortController();
  const p = clock.sleep(5_000, ac.signal);
  assert.equal(clock.pendingTimers, 1);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pendingTimers, 0);
});

test('speed mode flows faster than wall time and fires timers through real time', async () => {
  const clock = new VirtualClock(0, { speed: 1000 });
  const t0 = performance.now();
  await clock.sleep(2_000); // 2 virtual seconds ≈ 2 real ms
  const realElapsed = performance.now() - t0;
  assert.ok(clock.now() >= 2_000);
  assert.ok(realElapsed < 1_000, `speed mode should not wait real seconds (took ${realElapsed} ms)`);
  clock.dispose();
});

test('runAll jumps through pending timers; the system clock reads wall time', async () => {
  const clock = new VirtualClock(0);
  let n = 0;
  const tick = () => {
    n++;
    if (n < 3) clock.setTimeout(tick, 60_000);
  };
  clock.setTimeout(tick, 60_000);
  await clock.runAll();
  assert.equal(n, 3);
  assert.equal(clock.now(), 180_000);
  const sys = new SystemClock();
  assert.ok(Math.abs(sys.now() - Date.now()) < 1_000);
  await sys.sleep(1);
});

test('speed mode reports whole milliseconds (the Clock contract)', async () => {
  const clock = new VirtualClock(1_000, { speed: 7.3 });
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1));
    assert.ok(Number.isInteger(clock.now()), `now() = ${clock.now()}`);
  }
  clock.dispose();
});
