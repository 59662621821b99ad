import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { OrdersStore, StateLockError, summarizeOrders, type CorruptStateReport } from '../../src/adapters/state/orders-store.ts';
import type { OrderState } from '../../src/ports/broker.ts';
import { tempDir } from '../helpers/tmp.ts';
import { TS_EXEC_ARGV } from '../helpers/ts-child.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOW = Date.UTC(2026, 10, 20, 15); // 10:00 ET

function setup() {
  const dir = tempDir('orders-state-');
  const file = path.join(dir, 'state', 'orders.json');
  const clock = new VirtualClock(NOW);
  const corrupt: CorruptStateReport[] = [];
  const store = new OrdersStore(file, clock, { onCorrupt: (r) => corrupt.push(r) });
  return { dir, file, clock, store, corrupt, done: () => fs.rmSync(dir, { recursive: true }) };
}

const order = (id: string, over: Partial<OrderState> = {}): OrderState => ({
  clientOrderId: id,
  orderId: `ex-${id}`,
  marketTicker: 'KXINXU-26NOV20H1000-T6800',
  side: 'buy',
  price: 5600,
  size: 200,
  filled: 50,
  status: 'resting',
  submittedMs: NOW,
  updatedMs: NOW,
  ...over,
});

test('orders by mode: submitted → resting → gone when terminal; written in the documented format', async () => {
  const { file, clock, store, done } = setup();
  assert.deepEqual(store.read().state.modes.dry.orders, []);
  store.recordSubmitted('live', { clientOrderId: 'a', marketTicker: 'M', side: 'sell', price: 4200, size: 100, postOnly: true });
  store.recordState('dry', order('b'));
  await clock.advance(1_000);
  store.recordCancelPending('dry', 'b');

  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.version, 1);
  assert.equal(doc.updated_ms, NOW + 1_000);
  assert.equal(doc.updated_et, '2026-11-20T10:00:01-05:00');
  assert.deepEqual(doc.modes.dry.orders.b, {
    client_order_id: 'b',
    order_id: 'ex-b',
    market: 'KXINXU-26NOV20H1000-T6800',
    side: 'buy',
    price: 0.56,
    size: 2,
    filled: 0.5,
    status: 'cancel_pending',
    submitted_ms: NOW,
    submitted_et: '2026-11-20T10:00:00-05:00',
    updated_ms: NOW + 1_000,
  });
  assert.equal(doc.modes.live.orders.a.status, 'pending');

  store.recordState('dry', order('b', { status: 'canceled' }));
  store.recordState('live', order('a', { status: 'executed' }));
  const { state } = store.read();
  assert.deepEqual(state.modes.dry.orders, []);
  assert.deepEqual(state.modes.live.orders, []);
  assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock is released');
  done();
});

test('cancel-all marker: marked with reason and time per mode (or both), cleared by the supervisor', async () => {
  const { store, clock, done } = setup();
  store.markCancelAll('dry', 'kalshi_maintenance');
  assert.deepEqual(store.read().state.modes.dry.cancelAll, { reason: 'kalshi_maintenance', atMs: NOW });
  assert.equal(store.read().state.modes.live.cancelAll, null);
  await clock.advance(5_000);
  store.markCancelAll('all', 'operator');
  const s = store.read().state;
  assert.deepEqual(s.modes.live.cancelAll, { reason: 'operator', atMs: NOW + 5_000 });
  assert.deepEqual(s.modes.dry.cancelAll, { reason: 'operator', atMs: NOW + 5_000 });
  store.clearCancelAll('dry');
  assert.equal(store.read().state.modes.dry.cancelAll, null);
  assert.notEqual(store.read().state.modes.live.cancelAll, null);
  assert.throws(() => store.markCancelAll('dry', '  '), /reason/);
  done();
});

test('replaceOutstanding reconciles a mode with the broker; summary counts', () => {
  const { store, done } = setup();
  store.recordState('dry', order('stale'));
  store.replaceOutstanding('dry', [order('x'), order('y', { filled: 0 }), order('z', { status: 'executed' })]);
  const [dry, live] = summarizeOrders(store.read().state);
  assert.deepEqual(dry!.orders.map((o) => o.clientOrderId), ['x', 'y']);
  assert.equal(dry!.outstanding, 2);
  assert.equal(dry!.contracts, 1.5 + 2);
  assert.deepEqual(dry!.byStatus, { pending: 0, resting: 2, cancel_pending: 0 });
  assert.equal(live!.outstanding, 0);
  done();
});

for (const [label, content] of [
  ['truncated JSON', '{"version": 1, "modes": {"dry"'],
  ['wrong schema', JSON.stringify({ version: 1, updated_ms: null, updated_et: null, modes: { dry: { orders: {}, cancel_all: null } } })],
  ['empty file', ''],
] as const) {
  test(`a corrupt orders.json (${label}) is reported and set aside, never silently replaced`, () => {
    const { file, store, corrupt, done } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    const r = store.read();
    assert.ok(r.corrupt);
    assert.equal(r.corrupt.setAsidePath, `${file}.corrupt-${NOW}`);
    assert.equal(fs.readFileSync(r.corrupt.setAsidePath, 'utf8'), content, 'the bad file is kept as it was');
    assert.equal(fs.existsSync(file), false, 'reading does not write a replacement');
    assert.deepEqual(corrupt, [r.corrupt]);
    // A later change writes a fresh file; the set-aside copy stays.
    store.markCancelAll('dry', 'operator');
    assert.equal(store.read().corrupt, undefined);
    assert.ok(fs.existsSync(`${file}.corrupt-${NOW}`));
    done();
  });
}

test('a lock held by a live process blocks; one left by a dead process is broken', async () => {
  const { file, clock, done } = setup();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const store = new OrdersStore(file, clock, { lockAttempts: 3 });
  fs.writeFileSync(`${file}.lock`, String(process.ppid)); // the test runner: alive
  assert.throws(() => store.markCancelAll('dry', 'x'), StateLockError);
  // A pid that has exited.
  const child = spawn(process.execPath, ['-e', '']);
  const deadPid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  fs.writeFileSync(`${file}.lock`, String(deadPid));
  store.markCancelAll('dry', 'x');
  assert.equal(store.read().state.modes.dry.cancelAll?.reason, 'x');
  done();
});

test('two processes updating at once lose nothing (locked read-modify-write)', async () => {
  const { file, store, done } = setup();
  const child = fork(path.join(here, 'fixtures', 'orders-child.ts'), [file, 'child', '60'], {
    execArgv: [...TS_EXEC_ARGV],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((r) => child.once('message', () => r()));
  child.send('go');
  for (let i = 0; i < 60; i++) store.recordState('dry', order(`parent-${i}`));
  assert.equal(await exited, 0, stderr);
  const ids = store.read().state.modes.dry.orders.map((o) => o.clientOrderId);
  assert.equal(ids.length, 120);
  for (let i = 0; i < 60; i++) {
    assert.ok(ids.includes(`parent-${i}`));
    assert.ok(ids.includes(`child-${i}`));
  }
  done();
});

test('outstanding orders convert back to broker states for adoption after a restart', async () => {
  const { outstandingToOrderState } = await import('../../src/adapters/state/orders-store.ts');
  const { store, done } = setup();
  store.recordState('dry', order('k'));
  const [o] = store.read().state.modes.dry.orders;
  assert.deepEqual(outstandingToOrderState(o!), order('k'));
  done();
});
