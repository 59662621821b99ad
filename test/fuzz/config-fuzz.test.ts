/**
 * Fuzzing the config parsers (issue 14): `configs/index_ops.yaml`, `calendar.yaml`, `events.yaml`,
 * `fees.json` get ≥ 10,000 generated inputs each — arbitrary text, token soups of the format, and YAML/JSON
 * trees over the real keys. Every input either parses into a config that honours the validators' promises
 * or is rejected with a ConfigError whose one-line message names the file. Anything else (a TypeError, a
 * RangeError, a CalendarRangeError later on, a multi-line message) is a crash and fails the property.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, parseIndexOps, windowsProblem } from '../../src/config/index-ops.ts';
import { parseCalendarOverrides } from '../../src/config/calendar-config.ts';
import { parseEventDays } from '../../src/config/events-config.ts';
import { feeScheduleAt, parseFeesConfig } from '../../src/config/fees-config.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { windowsForDay } from '../../src/core/windows.ts';
import { FeeRuleError, feeRule } from '../../src/core/fees.ts';
import { assertCleanMessage, params } from './arbitraries.ts';
import { calText, eventsText, feesText, indexOpsText } from './config-arbitraries.ts';

/** `KA_FUZZ_STATS=1`: print how inputs ended (accepted, or rejected by which key), to judge coverage. */
const STATS = new Map<string, number>();
function cleanly<T>(file: string, parse: () => T, check: (ok: T) => void): void {
  let ok: T;
  try {
    ok = parse();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    assertCleanMessage(e.message, `${file}: `);
    if (process.env.KA_FUZZ_STATS) {
      const k = `${file} rejected: ${e.message.slice(file.length + 2).replace(/^not valid (YAML|JSON).*/, 'not valid $1').split(': ')[0]!.replace(/\.\d+/g, '.N')}`;
      STATS.set(k, (STATS.get(k) ?? 0) + 1);
    }
    return;
  }
  if (process.env.KA_FUZZ_STATS) STATS.set(`${file} accepted`, (STATS.get(`${file} accepted`) ?? 0) + 1);
  check(ok);
}
if (process.env.KA_FUZZ_STATS) {
  process.on('exit', () => {
    for (const [k, n] of [...STATS].sort((a, b) => a[0].localeCompare(b[0]) || b[1] - a[1])) if (n >= 20 || k.endsWith('accepted')) console.log(String(n).padStart(6), k);
  });
}

const CAL = createCalendar();
/** A regular Friday and the day after Thanksgiving (13:00 early close). */
const DAYS = ['2026-11-20', '2026-11-27'];

test('fuzz configs/index_ops.yaml: accepted configs lay out non-overlapping windows; everything else is a one-line ConfigError', () => {
  fc.assert(
    fc.property(indexOpsText, (text) => {
      cleanly('configs/index_ops.yaml', () => parseIndexOps(text), (cfg) => {
        if (windowsProblem(cfg.windows)) throw new Error('accepted a windows section the validator rejects');
        for (const date of DAYS) {
          const ws = windowsForDay(date, CAL, cfg.windows);
          for (let i = 0; i < ws.length; i++) {
            const w = ws[i]!;
            if (!(w.startMs < w.strictMs && w.strictMs < w.freezeMs && w.freezeMs < w.targetMs)) throw new Error(`${w.id}: start/strict/freeze/target out of order`);
            if (w.startMs <= Date.parse(`${date}T14:30:00Z`)) throw new Error(`${w.id} starts at or before the open`);
            if (i > 0 && w.startMs < ws[i - 1]!.targetMs) throw new Error(`${w.id} overlaps ${ws[i - 1]!.id}`);
          }
        }
      });
    }),
    params(14_001),
  );
});

test('fuzz configs/calendar.yaml: accepted overrides build a calendar without error; the rest is a one-line ConfigError', () => {
  fc.assert(
    fc.property(calText, (text) => {
      cleanly('configs/calendar.yaml', () => parseCalendarOverrides(text), (o) => {
        const cal = createCalendar(o); // must not throw (e.g. CalendarRangeError)
        for (const c of o.closures ?? []) if (cal.session(c.date).status !== 'closed') throw new Error(`closure ${c.date} not closed`);
        for (const e of o.earlyCloses ?? []) {
          if (cal.session(e.date).status !== 'early_close') throw new Error(`early close ${e.date} not applied`);
          windowsForDay(e.date, cal);
        }
      });
    }),
    params(14_002),
  );
});

test('fuzz configs/events.yaml: accepted files answer tagsOn; the rest is a one-line ConfigError', () => {
  fc.assert(
    fc.property(eventsText, (text) => {
      cleanly('configs/events.yaml', () => parseEventDays(text), (d) => {
        for (const t of d.tagsOn('2026-11-20')) if (t !== t.toUpperCase()) throw new Error('tags are upper case');
      });
    }),
    params(14_003),
  );
});

test('fuzz configs/fees.json: accepted schedules resolve at any instant; the rest is a one-line ConfigError', () => {
  fc.assert(
    fc.property(feesText, (text) => {
      cleanly('configs/fees.json', () => parseFeesConfig(text), (cfg) => {
        for (const ticker of cfg.series.keys()) {
          for (const at of [0, Date.parse('2026-11-20T15:00:00Z'), 8.64e15]) {
            const s = feeScheduleAt(cfg, ticker, at, 'KXINX-26NOV20H1600');
            if (!s) continue;
            try {
              feeRule(s, 'maker'); // a flat/unknown fee type is refused explicitly, never a crash
            } catch (e) {
              if (!(e instanceof FeeRuleError) || !/^fee_type_unsupported:/.test(e.message)) throw e;
            }
          }
        }
      });
    }),
    params(14_004),
  );
});
