import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { DryBroker } from '../../src/adapters/broker/dry-broker.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { PaperLedgerRecorder, MissingQuoteContextError } from '../../src/adapters/ledger/paper-recorder.ts';
import type { Broker } from '../../src/ports/broker.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { LedgerValidationError } from '../../src/adapters/ledger/ledger-writer.ts';
import type { PaperEvent } from '../../src/core/paper/types.ts';
import { makerFeeFromSchedule } from '../../src/core/paper/fees.ts';
import { ctx } from '../ledger/fixtures/records.ts';
import { book, intent, trade, T } from './helpers.ts';
import { tempDir } from '../helpers/tmp.ts';

function ofType<K extends LedgerRecord['type']>(r: LedgerRecord | undefined, type: K): Extract<LedgerRecord, { type: K }> {
  assert.ok(r, `expected a ${type} record`);
  assert.equal(r.type, type);
  return r as Extract<LedgerRecord, { type: K }>;
}

const START = Date.UTC(2026, 10, 20, 14, 50); // 09:50 ET

function setup() {
  const dir = tempDir('dry-broker-');
  const clock = new VirtualClock(START);
  const writer = LedgerWriter.open(path.join(dir, 'index_paper.jsonl'));
  const recorder = new PaperLedgerRecorder(writer, () => ({ activeFeed: 'massive', feedAgeMs: 42 }));
  const broker = new DryBroker({ clock, fee: makerFeeFromSchedule({ feeType: 'quadratic_with_maker_fees', multiplier: 1 }) });
  const seen: PaperEvent[] = [];
  broker.onEvents((events) => recorder.record(events));
  broker.onEvents((events) => seen.push(...events));
  const done = () => {
    writer.close();
    fs.rmSync(dir, { recursive: true });
  };
  return { clock, writer, recorder, broker, seen, file: writer.file, done };
}

test('dry broker: quote → partial fills → cancel-all → settlement, each durably in the ledger on the virtual clock', async () => {
  const { clock, broker, recorder, file, done } = setup();
  const b: Broker = broker; // the port, as the engine sees it
  broker.onBook(book([[5500, 200]], [[4300, 100]]));
  recorder.describe('q1', ctx());
  recorder.describe('q2', ctx({ modelProb: 0.4 }));
  const o1 = await b.place(intent('q1', 'buy', 5500, 300)); // 200 ahead
  const o2 = await b.place(intent('q2', 'sell', 5700, 100)); // behind the 100 at YES ask 57¢ (NO bid 43¢)
  assert.equal(o1.status, 'resting');
  assert.equal(o1.submittedMs, START);
  assert.equal(o2.status, 'resting');

  await clock.advance(1_000);
  broker.onTrade(trade(5500, 250, 'no')); // 200 ahead consumed, 50 for us
  await clock.advance(1_000);
  broker.onTrade(trade(5400, 100, 'no')); // through: 100 more
  assert.equal(broker.order('q1')!.filled, 150);

  await clock.advance(1_000);
  assert.equal(await b.cancelAll('freeze'), 2);
  assert.deepEqual(await b.openOrders(), []);

  await clock.advance(600_000);
  broker.onLifecycle({ ticker: T, kind: 'determined', result: 'yes', tsMs: clock.now() });

  const { records, skipped } = readLedgerFile(file);
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    records.map((r) => [r.seq, r.type, r.client_order_id]),
    [
      [1, 'quote', 'q1'],
      [2, 'quote', 'q2'],
      [3, 'paper_fill', 'q1'],
      [4, 'paper_fill', 'q1'],
      [5, 'cancel', 'q1'],
      [6, 'cancel', 'q2'],
      [7, 'settlement', 'q1'],
      [8, 'settlement', 'q2'],
    ],
  );
  const f1 = ofType(records[2], 'paper_fill');
  const f2 = ofType(records[3], 'paper_fill');
  const c1 = ofType(records[4], 'cancel');
  const s1 = ofType(records[6], 'settlement');
  const s2 = ofType(records[7], 'settlement');
  assert.equal(f1.ts_ms, START + 1_000);
  assert.equal(f1.fill_size, 0.5);
  assert.equal(f1.fill_price, 0.55);
  // 0.0175 × 0.5 × 0.55 × 0.45 = 0.002165625 → 0.0022; × 1 contract = 0.00433125 → 0.0044
  assert.equal(f1.fee, 0.0022);
  assert.equal(f2.fee, 0.0044);
  assert.equal(f2.active_feed, 'massive', 'later records carry the feed state of their time');
  assert.equal(records[0]!.active_feed, 'polygon', 'the quote carries the feed it was priced on');
  assert.equal(c1.reason, 'freeze');
  assert.equal(c1.filled, 1.5);
  // q1: 1.5 contracts bought at 0.55, YES: 1.5 × 0.45 = 0.675, fees 0.0066 → 0.6684
  assert.equal(s1.pnl, 0.6684);
  assert.equal(s1.settled_size, 1.5);
  assert.equal(s1.result, 'yes');
  assert.equal(s2.pnl, 0);
  assert.equal(s2.model_prob, 0.4);
  assert.equal(recorder.pending, 0, 'contexts are released once settled');
  done();
});

test('dry broker: idempotent place and a rejected post-only cross leave no ledger record', async () => {
  const { broker, recorder, file, seen, done } = setup();
  broker.onBook(book([[5500, 200]], [[4300, 100]]));
  recorder.describe('x', ctx());
  recorder.describe('y', ctx());
  const first = await broker.place(intent('x', 'buy', 5400, 100));
  const again = await broker.place(intent('x', 'buy', 5400, 100));
  assert.deepEqual(again, first);
  const crossed = await broker.place(intent('y', 'buy', 5700, 100));
  assert.equal(crossed.status, 'rejected');
  assert.equal(crossed.reason, 'post only cross');
  assert.deepEqual(seen.map((e) => e.type), ['accepted', 'rejected']);
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.type), ['quote']);
  assert.equal(recorder.pending, 1);
  const c = await broker.cancel('x', 'canceled');
  assert.equal(c!.status, 'canceled');
  assert.equal(await broker.cancel('unknown', 'canceled'), undefined);
  done();
});

test('dry broker: a quote without context is refused loudly, not written half-described', async () => {
  const { broker, file, done } = setup();
  broker.onBook(book([[5500, 200]], [[4300, 100]]));
  assert.throws(() => broker.place(intent('nope', 'buy', 5400, 100)), MissingQuoteContextError, 'thrown at once: the dry broker answers synchronously');
  assert.deepEqual(readLedgerFile(file).records, []);
  assert.deepEqual(await broker.openOrders(), [], 'the unrecorded order does not rest');
  assert.equal(broker.order('nope')!.reason, 'not recorded');
  done();
});

test('dry broker: venue stream events drive it; a stale book blocks new orders until the next book', async () => {
  const { broker, recorder, done } = setup();
  broker.onStreamEvent({ kind: 'book', book: book([[5500, 200]], [[4300, 100]]) });
  broker.onStreamEvent({ kind: 'book_stale', ticker: T, reason: 'gap' });
  recorder.describe('a', ctx());
  recorder.describe('b', ctx());
  assert.equal((await broker.place(intent('a', 'buy', 5400, 100))).reason, 'no book');
  broker.onStreamEvent({ kind: 'book', book: book([[5500, 200]], [[4300, 100]]) });
  assert.equal((await broker.place(intent('b', 'buy', 5400, 100))).status, 'resting');
  broker.onStreamEvent({ kind: 'trade', trade: trade(5300, 100, 'no') });
  assert.equal(broker.order('b')!.status, 'executed');
  done();
});

test('recorder: a failed ledger write propagates, keeps the records, and writes them first next time', async () => {
  const clock = new VirtualClock(START);
  const written: LedgerRecord[] = [];
  let failNext = false;
  let seq = 0;
  const sink = {
    appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[] {
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      const out = inputs.map((r) => ({ seq: ++seq, ...r }) as LedgerRecord);
      written.push(...out);
      return out;
    },
  };
  const recorder = new PaperLedgerRecorder(sink);
  const broker = new DryBroker({ clock, fee: () => 0 });
  broker.onEvents((e) => recorder.record(e));
  broker.onBook(book([[5500, 200]], [[4300, 100]]));
  assert.throws(() => recorder.describe('bad', ctx({ modelProb: Number.NaN })), LedgerValidationError);
  recorder.describe('a', ctx());
  await broker.place(intent('a', 'buy', 5400, 100));
  failNext = true;
  assert.throws(() => broker.onTrade(trade(5300, 100, 'no')), /ENOSPC/);
  assert.equal(broker.order('a')!.status, 'executed', 'the paper fill happened');
  assert.equal(recorder.unwritten, 1);
  recorder.flush();
  assert.equal(recorder.unwritten, 0);
  assert.deepEqual(written.map((r) => r.type), ['quote', 'paper_fill']);
});
