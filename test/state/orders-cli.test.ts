import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { OrdersStore } from '../../src/adapters/state/orders-store.ts';

const NOW = Date.UTC(2026, 10, 20, 15, 30); // 10:30 ET

test('orders cancel-all / summary / clear-cancel-all, text and --json, per mode', async () => {
  const home = tempHome();
  const clock = new VirtualClock(NOW);
  const file = path.join(home, 'data', 'proc', 'state', 'orders.json');
  new OrdersStore(file, clock).recordState('dry', {
    clientOrderId: 'c1', marketTicker: 'KXINXU-26NOV20H1100-T6800', side: 'sell', price: 4200, size: 300, filled: 100,
    status: 'resting', submittedMs: NOW - 60_000, updatedMs: NOW,
  });

  const mark = await cli(['orders', 'cancel-all', '--reason', 'operator', '--mode', 'live'], { home, clock });
  assert.equal(mark.code, 0, mark.stderr);
  assert.match(mark.stdout, /cancel-all marked for live: operator/);

  const sum = await cli(['orders', 'summary', '--json'], { home, clock });
  assert.equal(sum.code, 0);
  const doc = JSON.parse(sum.stdout);
  assert.deepEqual(doc.modes.map((m: { mode: string }) => m.mode), ['dry', 'live']);
  const [dry, live] = doc.modes;
  assert.equal(dry.outstanding, 1);
  assert.equal(dry.contracts, 2);
  assert.deepEqual(dry.orders[0], {
    client_order_id: 'c1', market: 'KXINXU-26NOV20H1100-T6800', side: 'sell', price: '0.4200', size: '3.00', filled: '1.00',
    status: 'resting', submitted_et: '2026-11-20T10:29:00-05:00',
  });
  assert.equal(dry.cancel_all, null);
  assert.deepEqual(live.cancel_all, { reason: 'operator', at_ms: NOW, at_et: '2026-11-20T10:30:00-05:00' });

  const text = await cli(['orders', 'summary', '--mode', 'dry'], { home, clock });
  assert.match(text.stdout, /^dry: 1 outstanding \(1 resting/);
  assert.match(text.stdout, /c1 {2}KXINXU-26NOV20H1100-T6800 {2}sell 3\.00 @ 0\.4200 {2}filled 1\.00/);
  assert.doesNotMatch(text.stdout, /live:/);

  // Without --mode, cancel-all marks both modes (an operator's stop must not miss the live one).
  await cli(['orders', 'cancel-all', '--reason', 'maintenance'], { home, clock });
  const both = JSON.parse((await cli(['orders', 'summary', '--json'], { home, clock })).stdout);
  assert.deepEqual(both.modes.map((m: { cancel_all: { reason: string } }) => m.cancel_all.reason), ['maintenance', 'maintenance']);

  const clear = await cli(['orders', 'clear-cancel-all', '--mode', 'dry', '--json'], { home, clock });
  assert.equal(JSON.parse(clear.stdout).cleared, true);
  const after = JSON.parse((await cli(['orders', 'summary', '--json'], { home, clock })).stdout);
  assert.equal(after.modes[0].cancel_all, null);
  assert.equal(after.modes[1].cancel_all.reason, 'maintenance');
  fs.rmSync(home, { recursive: true });
});

test('orders: bad usage exits 2; a corrupt state file is reported, set aside and exits 1', async () => {
  const home = tempHome();
  const clock = new VirtualClock(NOW);
  for (const argv of [['orders', 'cancel-all'], ['orders', 'cancel-all', '--reason', ' '], ['orders', 'summary', '--mode', 'paper']]) {
    const r = await cli(argv, { home, clock });
    assert.equal(r.code, 2, argv.join(' '));
  }
  const file = path.join(home, 'data', 'proc', 'state', 'orders.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{"version": 1, "mo');
  const r = await cli(['orders', 'summary'], { home, clock });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /orders\.json was corrupt .* set aside as .*orders\.json\.corrupt-1795188600000/);
  assert.equal(fs.readFileSync(`${file}.corrupt-${NOW}`, 'utf8'), '{"version": 1, "mo');
  // The marker can still be set afterwards (fresh file), and the run is clean again.
  const mark = await cli(['orders', 'cancel-all', '--reason', 'operator'], { home, clock });
  assert.equal(mark.code, 0, mark.stderr);
  fs.rmSync(home, { recursive: true });
});
