/**
 * Fuzzing ledger lines (issue 14; read-only use of the ledger reader, which another area owns): ≥ 10,000
 * generated ledgers — valid records of every type, valid records with one field bent / dropped / added,
 * any JSON, any text, torn tails — go through `parseLedgerText`. Reading never throws; every line is a
 * record or a reported skip (never both, never lost); a valid complete line is always kept; a torn tail
 * is reported as torn; the records it returns feed the scoreboard without error.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { parseLedgerText } from '../../src/adapters/ledger/ledger-reader.ts';
import { LedgerRecordSchema } from '../../src/core/ledger/record.ts';
import { computeScoreboard } from '../../src/core/scoreboard.ts';
import { anyText, anyTree, params, value } from './arbitraries.ts';

const TS = 1_795_186_800_000;
const base = (seq: number, type: string) => ({
  seq,
  type,
  ts_ms: TS + seq,
  timestamp_et: '2026-11-20T10:00:00-05:00',
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
  client_order_id: `ka-${seq}`,
  active_feed: 'polygon',
  feed_age_ms: 120,
});
const EXTRA: Record<string, Record<string, unknown>> = {
  quote: {},
  cancel: { reason: 'freeze', filled: 0 },
  paper_fill: { fill_price: 0.56, fill_size: 1, fee: 0.0044, fill_cause: 'trade_through', trade_id: 't-1', filled_total: 1 },
  settlement: { result: 'yes', settled_size: 1, fee: 0.0044, pnl: 0.4356 },
};

/** A valid record (varied within the schema) of any type. */
const validRecord = fc
  .tuple(
    fc.constantFrom('quote', 'cancel', 'paper_fill', 'settlement'),
    fc.integer({ min: 1, max: 9999 }).map((p) => p / 10_000),
    fc.integer({ min: 1, max: 500 }).map((c) => c / 100),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom('INXU', 'NASDAQ100U', 'INX', 'NASDAQ100'),
    fc.constantFrom('2026-11-20/hourly-1000', '2026-11-20/close-1600', '2026-11-27/close-1300'),
    fc.constantFrom('buy', 'sell'),
  )
  .map(([type, price, size, p, series, window, side]) => ({ ...base(0, type), ...EXTRA[type], price, size, model_prob: p, series, window, side }));

type Line = { text: string; valid: boolean };

/** One line of a ledger: valid, a valid one bent in one place, any JSON, or any text (no newline inside). */
const line = (seq: number): fc.Arbitrary<Line> =>
  fc.oneof(
    { weight: 4, arbitrary: validRecord.map((r) => ({ text: JSON.stringify({ ...r, seq }), valid: true })) },
    {
      weight: 4,
      arbitrary: fc.tuple(validRecord, fc.constantFrom(...Object.keys(base(0, 'quote')), 'reason', 'fill_price', 'pnl', 'result'), value, fc.constantFrom('set', 'delete', 'add')).map(([r, key, v, how]) => {
        const o: Record<string, unknown> = { ...r, seq };
        if (how === 'delete') delete o[key];
        else if (how === 'set') o[key] = v;
        else o[`x_${key}`] = v; // a newer writer's extra field: still valid
        const text = JSON.stringify(o);
        return { text, valid: LedgerRecordSchema.safeParse(JSON.parse(text)).success }; // as written: NaN → null etc.
      }),
    },
    { weight: 1, arbitrary: validRecord.chain((r) => fc.nat({ max: 300 }).map((n) => JSON.stringify({ ...r, seq }).slice(0, n))).map((text) => ({ text, valid: false })) },
    { weight: 1, arbitrary: anyTree.map((t) => ({ text: JSON.stringify(t) ?? 'null', valid: false })) },
    { weight: 1, arbitrary: anyText.map((t) => ({ text: t.replace(/\n/g, ' '), valid: false })) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '{}', 'null', '[]', '{"seq":1}', '\ufeff{}').map((text) => ({ text, valid: false })) },
  );

const ledger = fc
  .array(fc.nat(), { maxLength: 12 })
  .chain((seqs) => fc.tuple(...seqs.map((_, i) => line(i + 1))))
  .chain((lines) => fc.tuple(fc.constant(lines as Line[]), fc.boolean(), fc.constantFrom('\n', '\n', '\r\n')));

test('fuzz ledger lines (parseLedgerText): never throws; every line kept or reported once; valid lines kept; torn tail reported', () => {
  fc.assert(
    fc.property(ledger, ([lines, torn, eol]) => {
      const text = lines.map((l) => l.text).join(eol) + (torn || lines.length === 0 ? '' : eol);
      const { records, skipped } = parseLedgerText(text, 'fuzz.jsonl');
      const physical = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (records.length + skipped.length > physical) throw new Error(`${records.length} records + ${skipped.length} skipped > ${physical} lines`);
      const seen = new Set<number>();
      for (const s of skipped) {
        if (s.line < 1 || s.line > physical || seen.has(s.line)) throw new Error(`bad skipped line number ${s.line}`);
        seen.add(s.line);
        if (!['torn', 'invalid_json', 'invalid_record'].includes(s.kind) || typeof s.reason !== 'string') throw new Error(`bad skip ${JSON.stringify(s)}`);
        if (s.preview.length > 81) throw new Error('preview too long');
      }
      const lastTorn = torn && lines.length > 0 && lines[lines.length - 1]!.text !== '';
      if (lastTorn && !skipped.some((s) => s.kind === 'torn' && s.line === physical)) throw new Error('torn tail not reported');
      // Every complete valid line is a record (with CRLF endings the '\r' stays inside the JSON whitespace).
      const expected = lines.filter((l, i) => l.valid && !(lastTorn && i === lines.length - 1)).length;
      if (records.length !== expected) throw new Error(`expected ${expected} records, got ${records.length}`);
      computeScoreboard(records);
    }),
    params(16_001),
  );
});

test('fuzz ledger text of any bytes: never throws', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(anyText, fc.constantFrom('\n', '\r\n', '{', '}', '"', ':', ',')), { maxLength: 20 }).map((a) => a.join('')), (text) => {
      const { records, skipped } = parseLedgerText(text, 'fuzz.jsonl');
      computeScoreboard(records);
      for (const s of skipped) if (typeof s.reason !== 'string') throw new Error('skip without a reason');
    }),
    params(16_002),
  );
});
