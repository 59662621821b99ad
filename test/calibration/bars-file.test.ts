import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BarsFileError, parseBarsCsv, parseBarsJson, parseBarsJsonl, parseBarsText, parseClosesText } from '../../src/adapters/calibration/bars-file.ts';
import { etToMs } from '../../src/core/time/et.ts';

const T0 = etToMs('2026-11-20', '09:30');

test('CSV: timestamp,close with epoch ms or ISO (bare local = New York); t,c header; extra columns ignored', () => {
  const csv = `timestamp,close\n${T0},6800.25\n2026-11-20T09:31:00-05:00,6801.5\n2026-11-20T09:32,6802\n`;
  assert.deepEqual(parseBarsCsv(csv), [
    { t: T0, c: 6800.25 },
    { t: T0 + 60_000, c: 6801.5 },
    { t: T0 + 120_000, c: 6802 },
  ]);
  assert.deepEqual(parseBarsCsv(`t,o,h,l,c\n${T0 + 60_000},1,2,0.5,1.5\n${T0},1,2,0.5,1.25\n`), [
    { t: T0, c: 1.25 },
    { t: T0 + 60_000, c: 1.5 },
  ]);
});

test('JSONL: {t,c} and Massive {o,h,l,c,t}; repeated stamps replace; JSON aggs response and arrays', () => {
  const jsonl = `{"t":${T0},"c":6800}\n\n{"o":1,"h":2,"l":0.5,"c":6801,"t":${T0 + 60_000}}\n{"t":${T0},"c":6799.5}\n`;
  assert.deepEqual(parseBarsJsonl(jsonl), [
    { t: T0, c: 6799.5 },
    { t: T0 + 60_000, c: 6801 },
  ]);
  const aggs = JSON.stringify({ ticker: 'I:SPX', status: 'OK', resultsCount: 1, results: [{ o: 1, h: 1, l: 1, c: 6800, t: T0 }] });
  assert.deepEqual(parseBarsJson(aggs), [{ t: T0, c: 6800 }]);
  assert.deepEqual(parseBarsText(aggs, 'no-extension'), [{ t: T0, c: 6800 }]);
  assert.deepEqual(parseBarsText(`[{"t":${T0},"c":1}]`, 'x'), [{ t: T0, c: 1 }]);
  assert.deepEqual(parseBarsText(`t,c\n${T0},2\n`, 'x.txt'), [{ t: T0, c: 2 }]);
});

test('bad input names the file, line and field', () => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => parseBarsCsv('time,value\n1,2\n', 'b.csv'), /^b\.csv:1: header must name/],
    [() => parseBarsCsv(`timestamp,close\n${T0},6800\n${T0 + 60_000},abc\n`, 'b.csv'), /^b\.csv:3: close "abc" must be a positive number/],
    [() => parseBarsCsv(`timestamp,close\n1763650000,6800\n`, 'b.csv'), /^b\.csv:2: timestamp "1763650000" must be epoch milliseconds/],
    [() => parseBarsCsv(`timestamp,close\n2026-13-01T10:00,6800\n`, 'b.csv'), /^b\.csv:2: timestamp:/],
    [() => parseBarsCsv(`timestamp,close\n${T0}\n`, 'b.csv'), /^b\.csv:2: expected 2 columns/],
    [() => parseBarsCsv('timestamp,close\n', 'b.csv'), /no bars/],
    [() => parseBarsJsonl(`{"t":${T0},"c":1}\n{"t":${T0}}\n`, 'b.jsonl'), /^b\.jsonl:2: c: /],
    [() => parseBarsJsonl(`{"t":${T0},"c":1}\nnope\n`, 'b.jsonl'), /^b\.jsonl:2: not valid JSON/],
    [() => parseBarsJsonl(`{"t":${T0}.5,"c":1}\n`, 'b.jsonl'), /^b\.jsonl:1: t: /],
    [() => parseBarsJson('{"status":"OK"}', 'b.json'), /^b\.json: results: /],
  ];
  for (const [fn, re] of bad) assert.throws(fn, (e: unknown) => e instanceof BarsFileError && re.test((e as Error).message), String(re));
});

test('official closes: CSV date,close, or daily bars stamped at midnight ET, midnight UTC, the open or the close', () => {
  assert.deepEqual([...parseClosesText('date,close\n2026-11-19,6801.25\n2026-11-20,6790\n', 'c.csv')], [['2026-11-19', 6801.25], ['2026-11-20', 6790]]);
  const stamps = [etToMs('2026-11-20', '00:00'), Date.parse('2026-11-21T00:00:00Z'), etToMs('2026-11-23', '09:30'), etToMs('2026-11-24', '16:00')];
  const aggs = JSON.stringify({ ticker: 'I:SPX', results: stamps.map((t, i) => ({ o: 1, h: 1, l: 1, c: 6800 + i, t })) });
  assert.deepEqual([...parseClosesText(aggs, 'daily.json')], [['2026-11-20', 6800], ['2026-11-21', 6801], ['2026-11-23', 6802], ['2026-11-24', 6803]]);
  assert.throws(() => parseClosesText('date,close\n2026-13-01,1\n', 'c.csv'), /^BarsFileError: c\.csv:2: date:|c\.csv:2: date:/);
  assert.throws(() => parseClosesText('date,value\n2026-11-20,1\n', 'c.csv'), /c\.csv:1: header must name a close column/);
  assert.throws(() => parseClosesText('date,close\n2026-11-20,-1\n', 'c.csv'), /c\.csv:2: close "-1" must be a positive number/);
});
