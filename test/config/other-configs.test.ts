import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseIndexOps } from '../../src/config/index-ops.ts';
import { parseCalendarOverrides } from '../../src/config/calendar-config.ts';
import { parseEventDays } from '../../src/config/events-config.ts';
import { feeScheduleAt, parseFeesConfig } from '../../src/config/fees-config.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function rejects(fn: () => unknown, prefix: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `ConfigError, got ${String(e)}`);
    // `<file>: <key>: ` with the key's line and column after the file name (YAML; none for JSON).
    const [file, ...rest] = prefix.split(': ');
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.ok(new RegExp(`^${esc(file!)}(:\\d+:\\d+)?: ${esc(rest.join(': '))}`).test(e.message), `starts with ${prefix}: ${e.message}`);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
}

// ---- calendar.yaml ----
const CAL = 'configs/calendar.yaml';
const cal = (text: string, windows?: string) =>
  parseCalendarOverrides(text, CAL, windows ? parseIndexOps(`windows:\n${windows}`).windows : undefined);

test('calendar.yaml: dates outside the table years are a config error naming the key (not a CalendarRangeError later)', () => {
  rejects(() => cal('closures:\n  - date: 2030-01-02\n'), `${CAL}: closures.0.date: `, /2030-01-02 is outside the trading calendar's years 2025–2027/);
  rejects(() => cal('early_closes:\n  - date: 2024-12-24\n'), `${CAL}: early_closes.0.date: `, /outside the trading calendar/);
});

test('calendar.yaml: weekends and dates listed twice are rejected', () => {
  rejects(() => cal('closures:\n  - date: 2026-11-21\n'), `${CAL}: closures.0.date: `, /2026-11-21 is a Saturday/);
  rejects(() => cal('early_closes:\n  - date: 2026-11-22\n'), `${CAL}: early_closes.0.date: `, /Sunday/);
  rejects(() => cal('closures:\n  - date: 2026-12-28\n  - date: 2026-12-28\n'), `${CAL}: closures.1.date: `, /already listed as closures\.0\.date/);
  rejects(
    () => cal('closures:\n  - date: 2026-12-28\nearly_closes:\n  - date: 2026-12-28\n'),
    `${CAL}: early_closes.0.date: `,
    /already listed as closures\.0\.date/,
  );
});

test('calendar.yaml: an early close outside cash hours, or one whose windows would overlap, is rejected', () => {
  for (const t of ['09:30', '08:00', '16:00', '17:00']) {
    rejects(() => cal(`early_closes:\n  - date: 2026-12-30\n    close: "${t}"\n`), `${CAL}: early_closes.0.close: `, new RegExp(`${t} is outside cash hours`));
  }
  // 10:05 with the default windows: the close window (09:55) would overlap hourly-1000.
  rejects(
    () => cal('early_closes:\n  - date: 2026-12-30\n    close: "10:05"\n'),
    `${CAL}: early_closes.0.close: `,
    /an early close at 10:05 does not fit configs\/index_ops\.yaml windows\.close_start_offset_minutes: .*before the 10:00 hourly target/,
  );
  // ... and checked against the configured windows, not only the defaults.
  assert.deepEqual(cal('early_closes:\n  - date: 2026-12-30\n    close: "14:00"\n').earlyCloses?.[0]?.close, '14:00');
  assert.equal(cal('early_closes:\n  - date: 2026-12-30\n    close: "12:30"\n').earlyCloses?.[0]?.close, '12:30');
  rejects(
    () => cal('early_closes:\n  - date: 2026-12-30\n    close: "12:30"\n', '  close_start_offset_minutes: 40\n'),
    `${CAL}: early_closes.0.close: `,
    /does not fit .*close_start_offset_minutes/,
  );
  rejects(() => cal('closures:\n  - date: 2026-12-28\n    reason: ""\n'), `${CAL}: closures.0.reason: `, /must not be empty/);
});

// ---- events.yaml ----
test('events.yaml: the shipped file parses; bad shapes name the key', () => {
  assert.equal(parseEventDays(fs.readFileSync(path.join(REPO, 'configs/events.yaml'), 'utf8')).count, 0);
  const d = parseEventDays('days:\n  - date: 2026-12-10\n    tags: [cpi, CPI, fomc]\n  - date: 2026-12-10\n    tags: [NFP]\n');
  assert.deepEqual(d.tagsOn('2026-12-10'), ['CPI', 'FOMC', 'NFP']);
  rejects(() => parseEventDays('days:\n  - date: 2026-12-10\n    tags: []\n'), 'configs/events.yaml: days.0.tags: ', /./);
  rejects(() => parseEventDays('days:\n  - date: 2026-12-10\n    tags: ["C P I"]\n'), 'configs/events.yaml: days.0.tags.0: ', /short words/);
  rejects(() => parseEventDays('days: [1]\n'), 'configs/events.yaml: days.0: ', /./);
});

// ---- fees.json ----
const FEES = 'configs/fees.json';
const fees = (doc: unknown) => () => parseFeesConfig(JSON.stringify(doc), FEES);
const entry = (from: string, m = 1) => ({ from, fee_type: 'quadratic', fee_multiplier: m });

test('fees.json: the shipped file parses', () => {
  const f = parseFeesConfig(fs.readFileSync(path.join(REPO, 'configs/fees.json'), 'utf8'));
  assert.deepEqual(feeScheduleAt(f, 'INXU', Date.parse('2026-11-20T15:00:00Z')), { feeType: 'quadratic', multiplier: 1 });
});

test('fees.json: unknown series, a series given twice, duplicate instants are rejected', () => {
  rejects(fees({ series: { KXINXUU: [entry('2026-01-01T00:00:00Z')] } }), `${FEES}: series.KXINXUU: `, /unknown series/);
  rejects(
    fees({ series: { INXU: [entry('2026-01-01T00:00:00Z')], KXINXU: [entry('2026-02-01T00:00:00Z')] } }),
    `${FEES}: series.KXINXU: `,
    /the same series as series\.INXU/,
  );
  rejects(
    fees({ series: { INX: [entry('2026-01-01T00:00:00Z'), entry('2026-01-01T01:00:00+01:00', 2)] } }),
    `${FEES}: series.INX.1.from: `,
    /the same instant as series\.INX\.0\.from/,
  );
});

test('fees.json: a multiplier finer than 0.000001 fails at load, not per order later', () => {
  rejects(fees({ series: { INX: [entry('2026-01-01T00:00:00Z', 0.0000001)] } }), `${FEES}: series.INX.0.fee_multiplier: `, /not a multiple of 0\.000001/);
  rejects(
    fees({ series: {}, events: { 'KXINX-26NOV20H1600': { fee_multiplier_override: 1e-9 } } }),
    `${FEES}: events.KXINX-26NOV20H1600.fee_multiplier_override: `,
    /not a multiple/,
  );
});

test('fees.json: event overrides must name an index event and override something', () => {
  rejects(fees({ series: {}, events: { 'KXBTC-26NOV20': { fee_multiplier_override: 1 } } }), `${FEES}: events.KXBTC-26NOV20: `, /not an event ticker/);
  rejects(fees({ series: {}, events: { 'KXINX-26NOV20H1600': {} } }), `${FEES}: events.KXINX-26NOV20H1600: `, /give fee_type_override/);
  rejects(
    fees({ series: {}, events: { 'KXINX-26NOV20H1600': { fee_multiplier_override: 1 }, 'kxinx-26nov20h1600': { fee_multiplier_override: 2 } } }),
    `${FEES}: events.kxinx-26nov20h1600: `,
    /listed twice/,
  );
  const ok = parseFeesConfig(JSON.stringify({ series: { INX: [entry('2026-01-01T00:00:00Z')] }, events: { 'KXINX-26NOV20H1600': { fee_type_override: 'quadratic_with_maker_fees' } } }));
  assert.deepEqual(feeScheduleAt(ok, 'KXINX', Date.parse('2026-11-20T21:00:00Z'), 'kxinx-26nov20h1600'), { feeType: 'quadratic_with_maker_fees', multiplier: 1 });
});

test('fees.json: not JSON says where', () => {
  rejects(() => parseFeesConfig('{"series": ', FEES), `${FEES}: not valid JSON (`, /JSON/);
});
