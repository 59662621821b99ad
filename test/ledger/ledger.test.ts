import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LedgerWriter, LedgerValidationError } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedger, readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { LedgerRecordSchema } from '../../src/core/ledger/record.ts';
import { quoteInput } from './fixtures/records.ts';
import { tempDir } from '../helpers/tmp.ts';
import { TS_EXEC_ARGV } from '../helpers/ts-child.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmpDir = () => tempDir('ledger-test-');

test('records round-trip with the documented shape; seq is monotonic and continues across reopen', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'nested', 'index_paper.jsonl');
  const w = LedgerWriter.open(file);
  assert.deepEqual(w.recovery, { tornTail: false, tornBytes: 0, seqSource: 'empty', lastSeq: 0 });
  const a = w.append(quoteInput(1));
  const [b, c] = w.appendBatch([quoteInput(2), quoteInput(3)]);
  assert.deepEqual([a.seq, b!.seq, c!.seq], [1, 2, 3]);
  w.close();

  const w2 = LedgerWriter.open(file);
  assert.equal(w2.recovery.lastSeq, 3);
  assert.equal(w2.recovery.seqSource, 'ledger');
  assert.equal(w2.append(quoteInput(4)).seq, 4);
  w2.close();

  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  const first = JSON.parse(text.split('\n')[0]!);
  assert.deepEqual(first, {
    seq: 1,
    type: 'quote',
    ts_ms: 1_795_186_800_001,
    timestamp_et: '2026-11-20T10:00:00.001-05:00',
    mode: 'dry',
    series: 'INXU',
    window: '2026-11-20/hourly-1000',
    kalshi_market_id: 'KXINXU-26NOV20H1000-T6800',
    event_ticker: 'KXINXU-26NOV20H1000',
    strike: 6800,
    strike_type: 'greater',
    side: 'buy',
    price: 0.56,
    size: 1,
    ev_after_fees_cents: 6.5,
    fill_prob: 0.3,
    model_prob: 0.62,
    client_order_id: 'q-1',
    active_feed: 'polygon',
    feed_age_ms: 120,
  });
  const r = readLedgerFile(file);
  assert.deepEqual(r.records.map((x) => x.seq), [1, 2, 3, 4]);
  assert.deepEqual(r.skipped, []);
  fs.rmSync(dir, { recursive: true });
});

test('an invalid record is refused and nothing is written', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const w = LedgerWriter.open(file);
  const bad = { ...quoteInput(1), price: 0.56789 };
  assert.throws(() => w.append(bad), LedgerValidationError);
  assert.throws(() => w.append({ ...quoteInput(1), extra: 1 } as never), /unrecognized|extra/i);
  assert.throws(() => w.appendBatch([quoteInput(1), { ...quoteInput(2), model_prob: 1.5 }]), LedgerValidationError);
  assert.equal(fs.readFileSync(file, 'utf8'), '');
  assert.equal(w.append(quoteInput(3)).seq, 1);
  w.close();
  fs.rmSync(dir, { recursive: true });
});

test('a torn last line is skipped and reported; the writer starts the next record on a fresh line', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const w = LedgerWriter.open(file);
  for (let i = 1; i <= 3; i++) w.append(quoteInput(i));
  w.close();
  const torn = JSON.stringify({ seq: 4, ...quoteInput(4) }).slice(0, 57);
  fs.appendFileSync(file, torn);

  const before = readLedgerFile(file);
  assert.deepEqual(before.records.map((r) => r.seq), [1, 2, 3]);
  assert.equal(before.skipped.length, 1);
  assert.equal(before.skipped[0]!.kind, 'torn');
  assert.equal(before.skipped[0]!.line, 4);

  const w2 = LedgerWriter.open(file);
  assert.equal(w2.recovery.tornTail, true);
  assert.equal(w2.recovery.tornBytes, 57);
  // The fragment carries "seq":4 — it was (partly) written, so 4 is never handed out again.
  assert.ok(torn.startsWith('{"seq":4,'));
  assert.equal(w2.recovery.lastSeq, 4);
  assert.equal(w2.append(quoteInput(5)).seq, 5);
  w2.close();

  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(torn + '\n{'), 'the fragment is left alone and the next record starts on its own line');
  const after = readLedgerFile(file);
  assert.deepEqual(after.records.map((r) => r.seq), [1, 2, 3, 5]);
  assert.deepEqual(after.skipped.map((s) => [s.line, s.kind]), [[4, 'invalid_json']]);
  fs.rmSync(dir, { recursive: true });
});

test('a complete record that only lost its newline is kept, and its seq is not reused', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const w = LedgerWriter.open(file);
  w.append(quoteInput(1));
  w.close();
  fs.appendFileSync(file, JSON.stringify({ seq: 2, ...quoteInput(2) }));
  assert.equal(readLedgerFile(file).skipped[0]!.kind, 'torn', 'still in flight for a reader');
  const w2 = LedgerWriter.open(file);
  assert.equal(w2.recovery.tornTail, true);
  assert.equal(w2.recovery.lastSeq, 2);
  assert.equal(w2.append(quoteInput(3)).seq, 3);
  w2.close();
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [1, 2, 3]);
  fs.rmSync(dir, { recursive: true });
});

test('seq continues from the newest archive when the live file has no record; readers merge without duplicates', () => {
  const dir = tmpDir();
  const archiveDir = path.join(dir, 'archive');
  fs.mkdirSync(archiveDir);
  const line = (seq: number, ts: number) => JSON.stringify({ seq, ...quoteInput(seq, ts) }) + '\n';
  const d1 = 1_795_100_400_000; // 2026-11-19 ET
  fs.writeFileSync(path.join(archiveDir, '2026-11-18.jsonl.gz'), zlib.gzipSync(line(1, d1 - 86_400_000)));
  fs.writeFileSync(path.join(archiveDir, '2026-11-19.jsonl.gz'), zlib.gzipSync(line(2, d1) + line(3, d1 + 1)));
  const file = path.join(dir, 'index_paper.jsonl');
  // An interrupted rotation left seq 3 in both places.
  fs.writeFileSync(file, '');
  const w = LedgerWriter.open(file, { archiveDir });
  assert.equal(w.recovery.seqSource, 'archive');
  assert.equal(w.append(quoteInput(9)).seq, 4);
  w.close();
  fs.appendFileSync(file, line(3, d1 + 1));
  const all = readLedger(file, { archiveDir });
  assert.deepEqual(all.records.map((r) => r.seq), [1, 2, 3, 4]);
  const some = readLedger(file, { archiveDir, fromDate: '2026-11-19' });
  assert.deepEqual(some.records.map((r) => r.seq), [2, 3, 4]);
  fs.rmSync(dir, { recursive: true });
});

function runChild(mode: 'loop' | 'torn', file: string, killAfterAcks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'fixtures', 'writer-child.ts'), [mode, file], {
      execArgv: [...TS_EXEC_ARGV],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const acked: number[] = [];
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach the kill point in time: ${stderr}`));
    }, 15_000);
    child.on('message', (m: { acked?: number; ready?: boolean }) => {
      if (m.acked !== undefined) acked.push(m.acked);
      if ((mode === 'loop' && acked.length >= killAfterAcks) || m.ready) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}/${signal}: ${stderr}`));
      else resolve(acked);
    });
  });
}

test('SIGKILL while appending loses no acknowledged record', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const acked = await runChild('loop', file, 200);
  assert.ok(acked.length >= 200);
  const r = readLedgerFile(file);
  const seqs = new Set(r.records.map((x) => x.seq));
  for (const s of acked) assert.ok(seqs.has(s), `acknowledged seq ${s} is on disk`);
  const list = r.records.map((x) => x.seq);
  assert.deepEqual(list, [...list].sort((a, b) => a - b));
  assert.ok(r.skipped.length <= 1 && r.skipped.every((s) => s.kind === 'torn'), 'at most one torn last line');
  // A restart continues after the last record on disk.
  const w = LedgerWriter.open(file);
  const next = w.append(quoteInput(1)).seq;
  w.close();
  assert.ok(next > Math.max(...acked));
  // +1 after the last record on disk; +2 if the kill left a torn fragment that names the next seq.
  if (r.skipped.length === 0) assert.equal(next, Math.max(...list) + 1);
  else assert.ok(next === Math.max(...list) + 1 || next === Math.max(...list) + 2);
  fs.rmSync(dir, { recursive: true });
});

test('SIGKILL mid-record: the torn tail is reported, every acknowledged record survives, seq resumes', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const acked = await runChild('torn', file, 0);
  assert.deepEqual(acked, Array.from({ length: 20 }, (_, i) => i + 1));
  const r = readLedgerFile(file);
  assert.deepEqual(r.records.map((x) => x.seq), acked);
  assert.equal(r.skipped.length, 1);
  assert.equal(r.skipped[0]!.kind, 'torn');
  const w = LedgerWriter.open(file);
  assert.equal(w.recovery.tornTail, true);
  // The half record names seq 21: the next record skips it (a gap, never a duplicate).
  assert.equal(w.append(quoteInput(1)).seq, 22);
  w.close();
  const after = readLedgerFile(file);
  assert.equal(after.records.length, 21);
  assert.equal(after.records.at(-1)!.seq, 22);
  assert.ok(after.records.every((x) => LedgerRecordSchema.safeParse(x).success));
  fs.rmSync(dir, { recursive: true });
});
