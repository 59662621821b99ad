/**
 * `seq` is strictly greater than every seq ever written (issue 14): the writer used to resume from the
 * last valid line and wrote duplicates after a ledger whose tail repeated an earlier seq.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { scanMaxSeqBuffer, scanMaxSeqFd, SEQ_HIGH_WATER_FILE } from '../../src/adapters/ledger/seq-scan.ts';
import { quoteInput } from './fixtures/records.ts';
import { tempDir } from '../helpers/tmp.ts';

const tmpDir = () => tempDir('ledger-seq-');
const line = (seq: number, i = seq) => JSON.stringify({ seq, ...quoteInput(i) }) + '\n';

function seqsOnDisk(file: string): number[] {
  return readLedgerFile(file).records.map((r) => r.seq);
}

test('a ledger whose tail repeats an earlier seq: the next seq is above the largest, no duplicate', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'index_paper.jsonl');
  let text = '';
  for (let s = 1; s <= 10; s++) text += line(s);
  text += line(3, 33); // the old bug: a later record that reused seq 3
  fs.writeFileSync(file, text);
  const w = LedgerWriter.open(file);
  assert.equal(w.recovery.lastSeq, 10);
  assert.equal(w.recovery.seqSource, 'ledger');
  const written = w.appendBatch([quoteInput(100), quoteInput(101)]).map((r) => r.seq);
  w.close();
  assert.deepEqual(written, [11, 12]);
  const seqs = seqsOnDisk(file);
  assert.deepEqual(seqs.slice(-2), [11, 12]);
  assert.equal(new Set(seqs.filter((s) => s !== 3)).size, seqs.length - 2, 'only the pre-existing duplicate repeats');
  fs.rmSync(dir, { recursive: true });
});

test('a larger seq before invalid lines and a smaller valid one at the end still wins', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'index_paper.jsonl');
  const text =
    line(1) +
    line(2) +
    line(50) +
    '{"not json\n' +
    JSON.stringify({ seq: 7, type: 'quote', note: 'wrong shape' }) + '\n' +
    line(7, 70) +
    '\n' +
    'garbage line\n';
  fs.writeFileSync(file, text);
  const w = LedgerWriter.open(file);
  assert.equal(w.recovery.lastSeq, 50);
  assert.equal(w.append(quoteInput(9)).seq, 51);
  w.close();
  assert.deepEqual(seqsOnDisk(file), [1, 2, 50, 7, 51]);
  fs.rmSync(dir, { recursive: true });
});

test('a seq only in an invalid line (wrong shape, torn, spaced) still counts; absurd numbers do not', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  fs.writeFileSync(file, line(4) + '{"type":"quote", "seq" : 90, "x":1}\n' + '{"seq":1234567890123456789}\n' + '{"seq":95,"type":"qu');
  const w = LedgerWriter.open(file);
  assert.equal(w.recovery.tornTail, true);
  assert.equal(w.recovery.lastSeq, 95);
  assert.equal(w.append(quoteInput(1)).seq, 96);
  w.close();
  fs.rmSync(dir, { recursive: true });
});

test('the byte scan agrees with a full parse at every chunk size (keys split across chunks)', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'l.jsonl');
  const seqs = [5, 17, 3, 99, 42, 98, 7];
  fs.writeFileSync(file, seqs.map((s) => line(s)).join('') + line(61).slice(0, 30));
  const fd = fs.openSync(file, 'r');
  try {
    const whole = scanMaxSeqBuffer(fs.readFileSync(file));
    assert.equal(whole, 99);
    for (const chunk of [1, 2, 3, 5, 8, 13, 64, 100, 333, 1000, 1 << 20]) assert.equal(scanMaxSeqFd(fd, undefined, chunk), 99, `chunk ${chunk}`);
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(scanMaxSeqBuffer(Buffer.from('{"seq":"12"} {"seq":-3} {"seqs":40} "seq"')), 0);
  fs.rmSync(dir, { recursive: true });
});

test('archives count: the high-water file, else every archive (not just the newest); the larger of file and archives', () => {
  const dir = tmpDir();
  const archiveDir = path.join(dir, 'archive');
  fs.mkdirSync(archiveDir);
  const file = path.join(dir, 'index_paper.jsonl');
  // A late settlement archived under an older day can carry the largest seq.
  fs.writeFileSync(path.join(archiveDir, '2026-11-18.jsonl.gz'), zlib.gzipSync(line(1) + line(40)));
  fs.writeFileSync(path.join(archiveDir, '2026-11-19.jsonl.gz'), zlib.gzipSync(line(20) + line(30)));
  fs.writeFileSync(path.join(archiveDir, '2026-11-17.jsonl.gz'), 'not gzip'); // unreadable: skipped
  fs.writeFileSync(file, line(12));

  let w = LedgerWriter.open(file, { archiveDir });
  assert.deepEqual([w.recovery.seqSource, w.recovery.lastSeq], ['archive', 40]);
  w.close();

  fs.writeFileSync(path.join(archiveDir, SEQ_HIGH_WATER_FILE), JSON.stringify({ max_seq: 500 }));
  w = LedgerWriter.open(file, { archiveDir });
  assert.deepEqual([w.recovery.seqSource, w.recovery.lastSeq], ['archive', 500]);
  assert.equal(w.append(quoteInput(1)).seq, 501);
  w.close();

  fs.writeFileSync(path.join(archiveDir, SEQ_HIGH_WATER_FILE), '{"max_seq": "lots"}');
  w = LedgerWriter.open(file, { archiveDir });
  assert.deepEqual([w.recovery.seqSource, w.recovery.lastSeq], ['ledger', 501], 'an invalid high-water file falls back to scanning');
  w.close();
  fs.rmSync(dir, { recursive: true });
});
