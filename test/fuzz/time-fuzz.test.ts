/**
 * Fuzzing the CLI time arguments (issue 14): `--now` / `--from`-style instants go through `parseInstant`,
 * `--date` through `assertDate`, and then into the calendar and windows. ≥ 10,000 generated inputs each:
 * every input gives a finite whole-ms instant (or a real date) or a TimeParseError with a one-line
 * message; what is accepted survives the windows code (only a CalendarRangeError outside the table years),
 * and an accepted instant round-trips through its ET rendering. A sample also goes through `runCli`:
 * exit 0 or 2, one line on stderr, never a stack trace.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { addDays, assertDate, etDateOf, formatEt, formatUtc, parseInstant, TimeParseError, weekday } from '../../src/core/time/et.ts';
import { CalendarRangeError, createCalendar } from '../../src/core/calendar/index.ts';
import { activeOrNextWindow, windowsForDay } from '../../src/core/windows.ts';
import { runCli } from '../../src/cli/program.ts';
import { tempHome } from '../helpers/cli.ts';
import { anyText, params, RUNS, seed, tokenSoup } from './arbitraries.ts';

const CAL = createCalendar();

const num = (min: number, max: number, width: number) => fc.integer({ min, max }).map((x) => String(x).padStart(width, '0'));
const year = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('2025', '2026', '2027') },
  { weight: 2, arbitrary: num(0, 9999, 4) },
  { weight: 1, arbitrary: fc.constantFrom('+002026', '-000001', '+275760', '-271821', '26', '20266', '0000') },
);
const date = fc
  .tuple(
    year,
    fc.oneof({ weight: 8, arbitrary: num(1, 12, 2) }, { weight: 1, arbitrary: num(0, 13, 2) }, { weight: 1, arbitrary: fc.constantFrom('1', '011', 'W4') }),
    fc.oneof({ weight: 8, arbitrary: num(1, 28, 2) }, { weight: 2, arbitrary: num(0, 32, 2) }, { weight: 1, arbitrary: fc.constantFrom('1', '') }),
    fc.constantFrom('-', '-', '-', '-', '-', '-', '', '/'),
  )
  .map(([y, m, d, sep]) => `${y}${sep}${m}${sep}${d}`);
const time = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: num(0, 23, 2) }, { weight: 1, arbitrary: num(0, 25, 2) }, { weight: 1, arbitrary: fc.constantFrom('1', '9') }),
    fc.oneof({ weight: 8, arbitrary: num(0, 59, 2) }, { weight: 1, arbitrary: fc.constantFrom('60', '5') }),
    fc.option(fc.oneof({ weight: 8, arbitrary: num(0, 59, 2) }, { weight: 1, arbitrary: fc.constantFrom('60', '61') }), { nil: undefined }),
    fc.option(fc.integer({ min: 1, max: 12 }).chain((n) => num(0, 10 ** Math.min(n, 9) - 1, n)), { nil: undefined }),
  )
  .map(([h, mi, s, frac]) => `${h}:${mi}${s !== undefined ? `:${s}${frac !== undefined ? `.${frac}` : ''}` : ''}`);
const offset = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', '', 'Z', 'z', '-05:00', '-04:00', '-0500', '+00:00', '+14:00', '-23:59') },
  { weight: 1, arbitrary: fc.constantFrom('+24:00', '-05', '+05:30:00', '+5:00', '−05:00') },
  { weight: 1, arbitrary: fc.constantFrom('[America/New_York]', '-05:00[America/New_York]', 'Z[u-ca=japanese]', '-05:00[!America/Chicago]', '[UTC]', 'Z[Mars/Olympus]') },
);
/** Mostly well-formed ISO instants (DST gaps and overlaps included), sometimes bent. */
const isoLike = fc
  .tuple(date, fc.constantFrom('T', 'T', 'T', 'T', 't', ' ', '_', ''), time, offset, fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\n', 'x', '\u0000') }))
  .map(([d, sep, t, off, tail]) => `${d}${sep}${t}${off}${tail}`);
/** The DST weeks of 2026: spring-forward gap (Mar 8, 02:xx) and fall-back overlap (Nov 1, 01:xx). */
const dstEdges = fc
  .tuple(fc.constantFrom('2026-03-08', '2026-11-01', '2025-03-09', '2027-11-07'), num(0, 3, 2), num(0, 59, 2), fc.constantFrom('', ':00', ':59.999', '-05:00', '-04:00'))
  .map(([d, h, m, rest]) => `${d}T${h}:${m}${rest}`);
const timeText = fc.oneof(
  { weight: 5, arbitrary: isoLike },
  { weight: 2, arbitrary: dstEdges },
  { weight: 2, arbitrary: tokenSoup(['2026', '-', '11', '20', 'T', ':', '00', '10', 'Z', '+', '05', '.', ' ', '[', ']', 'America/New_York', '\n']) },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '0', '1795186800000', 'now', 'today', 'tomorrow', '-1', '1e3', 'Infinity', 'NaN') },
);
const dateText = fc.oneof(
  { weight: 5, arbitrary: date },
  { weight: 1, arbitrary: isoLike },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom('', 'today', '2026-11-20 ', ' 2026-11-20', '2026-11-20\n', '２０２６-１１-２０') },
);

function rejectCleanly(e: unknown): void {
  if (!(e instanceof TimeParseError)) throw e;
  if (/[\r\n]/.test(e.message)) throw new Error(`not one line: ${JSON.stringify(e.message)}`);
}

function windowsSurvive(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof CalendarRangeError)) throw e;
  }
}

test('fuzz parseInstant (--now): a whole-ms instant that round-trips through ET, or a one-line TimeParseError', () => {
  fc.assert(
    fc.property(timeText, (text) => {
      let ms: number;
      try {
        ms = parseInstant(text);
      } catch (e) {
        rejectCleanly(e);
        return;
      }
      if (!Number.isSafeInteger(ms)) throw new Error(`not a whole-ms instant: ${ms}`);
      const et = formatEt(ms);
      formatUtc(ms);
      // Round trip wherever New York's offset is whole minutes (standard time since 1883; LMT was −4:56:02).
      if (ms >= Date.UTC(1900, 0) && parseInstant(et) !== ms) throw new Error(`${et} does not round-trip to ${ms}`);
      etDateOf(ms);
      windowsSurvive(() => activeOrNextWindow(ms, CAL));
    }),
    params(15_001),
  );
});

test('fuzz assertDate (--date): the same real date back, or a one-line TimeParseError; accepted dates lay out windows', () => {
  fc.assert(
    fc.property(dateText, (text) => {
      let d: string;
      try {
        d = assertDate(text);
      } catch (e) {
        rejectCleanly(e);
        return;
      }
      if (d !== text) throw new Error('assertDate changed its input');
      if (weekday(d) < 1 || weekday(d) > 7) throw new Error('weekday out of range');
      addDays(d, 1);
      windowsSurvive(() => windowsForDay(d, CAL));
    }),
    params(15_002),
  );
});

test('fuzz `windows --date X` / `windows --now X` through runCli: exit 0 or 2 with one line, never a stack', async () => {
  const home = tempHome('ka-fuzz-time-');
  const io = (sink: { out: string; err: string }) => ({ env: {}, cwd: home, out: (s: string) => void (sink.out += s), err: (s: string) => void (sink.err += s) });
  // Commander treats a leading '-' as an option; `--flag=value` passes any text as the value.
  const argv = fc.tuple(fc.constantFrom('--date', '--now'), fc.oneof(dateText, timeText)).map(([flag, v]) => ['windows', `${flag}=${v}`]);
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      const sink = { out: '', err: '' };
      const code = await runCli(args, io(sink));
      if (code === 0) return;
      if (code !== 2) throw new Error(`exit ${code}: ${sink.err}`);
      const lines = sink.err.trimEnd().split('\n');
      if (lines.length !== 1 || !lines[0]!.startsWith('kalshi-alpha: ')) throw new Error(`not one line: ${JSON.stringify(sink.err)}`);
    }),
    { numRuns: Math.max(2_000, Math.floor(RUNS / 5)), seed: seed(15_003) },
  );
});
