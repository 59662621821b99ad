/**
 * One schema per file format, owned by its writer: the dashboard's view of each file the supervisor writes
 * accepts exactly what the writer's own reader accepts — a file the writer just wrote reads back, and a
 * file its reader refuses (set aside as corrupt) shows as invalid on the page, for the same reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { OrdersStore } from '../../src/adapters/state/orders-store.ts';
import { ordersSource } from '../../src/dashboard/file-sources.ts';
import { tempDir } from '../helpers/tmp.ts';

const NOW = Date.UTC(2026, 10, 20, 15);

test('orders.json: the dashboard accepts what the store wrote and refuses what the store sets aside', () => {
  const dir = tempDir('orders-schema-');
  const file = path.join(dir, 'orders.json');
  const store = new OrdersStore(file, new VirtualClock(NOW));
  store.recordState('dry', { clientOrderId: 'a', orderId: 'x-a', marketTicker: 'KXINXU-26NOV20H1000-T6800', side: 'buy', price: 5600, size: 250, filled: 50, status: 'resting', submittedMs: NOW, updatedMs: NOW });
  store.markCancelAll('live', 'operator');
  const written = JSON.parse(fs.readFileSync(file, 'utf8'));
  const view = ordersSource(file).read();
  assert.equal(view.kind, 'ok');
  assert.deepEqual(view.kind === 'ok' && view.value, written);

  const variants: [string, (d: typeof written) => void][] = [
    ['a key naming another order', (d) => { d.modes.dry.orders.b = d.modes.dry.orders.a; delete d.modes.dry.orders.a; }],
    ['an unknown field', (d) => { d.modes.dry.orders.a.note = 'x'; }],
    ['a price with 5 decimals', (d) => { d.modes.dry.orders.a.price = 0.56001; }],
    ['a fractional centi-contract', (d) => { d.modes.dry.orders.a.size = 2.505; }],
    ['a future version', (d) => { d.version = 2; }],
  ];
  for (const [what, change] of variants) {
    const doc = structuredClone(written);
    change(doc);
    fs.writeFileSync(file, JSON.stringify(doc));
    const dash = ordersSource(file).read();
    assert.equal(dash.kind, 'invalid', `dashboard refuses ${what}`);
    const own = store.read();
    assert.ok(own.corrupt, `the store sets aside ${what}`);
    assert.equal(dash.kind === 'invalid' && dash.reason, own.corrupt.reason, `same reason for ${what}`);
  }
  fs.rmSync(dir, { recursive: true });
});
