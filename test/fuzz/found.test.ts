/** What the fuzzers found, pinned as plain examples (each was a crash or an unclean rejection before). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInstant, assertDate, TimeParseError } from '../../src/core/time/et.ts';
import { ConfigError, parseIndexOps } from '../../src/config/index-ops.ts';
import { parseCalendarOverrides } from '../../src/config/calendar-config.ts';
import { parseEventDays } from '../../src/config/events-config.ts';
import { parseFeesConfig } from '../../src/config/fees-config.ts';

const oneLine = (e: unknown, re: RegExp, type: new (...a: never[]) => Error) => {
  assert.ok(e instanceof type, String(e));
  assert.doesNotMatch(e.message, /[\r\n\u0000]/);
  assert.match(e.message, re);
  return true;
};

test('time arguments echo the user text quoted, on one line (was: a raw newline in the message)', () => {
  assert.throws(() => parseInstant('2026-11-20T10:00\nx'), (e) => oneLine(e, /^invalid time "2026-11-20T10:00\\nx" \(expected ISO 8601/, TimeParseError));
  assert.throws(() => assertDate('2025-1-01\u0000'), (e) => oneLine(e, /^invalid date "2025-1-01\\u0000"/, TimeParseError));
  assert.throws(() => parseInstant('x'.repeat(500)), (e) => oneLine(e, /^invalid time "x{61}\.\.\."/, TimeParseError));
});

test('an instant whose New York date has no 4-digit year is rejected up front (was: "invalid date -271821-04-30" from the windows code)', () => {
  for (const t of ['-271821-05-01T00:00-23:59', '+010000-01-02T00:00Z', '0000-01-01T00:00Z', '+275760-09-13T00:00Z']) {
    assert.throws(() => parseInstant(t), (e) => oneLine(e, /is outside the years 0000–9999 in New York time|invalid time/, TimeParseError), t);
  }
  assert.equal(parseInstant('0000-01-01T12:00Z'), Date.parse('0000-01-01T12:00:00Z'));
  assert.equal(parseInstant('9999-12-31T23:00-05:00'), Date.parse('+010000-01-01T04:00:00Z'));
});

test('config keys with line breaks or control characters are quoted in one-line messages (was: multi-line)', () => {
  assert.throws(() => parseIndexOps('freshness:\n  "\\n": false\n'), (e) => oneLine(e, /^configs\/index_ops\.yaml:2:3: freshness\."\\n": unknown key$/, ConfigError));
  assert.throws(() => parseCalendarOverrides('closures:\n  - date: 2026-12-28\n    "a\\u0000b": 1\n'), (e) => oneLine(e, /closures\.0\."a\\u0000b": unknown key/, ConfigError));
  assert.throws(() => parseEventDays('"\\n": {}\n'), (e) => oneLine(e, /^configs\/events\.yaml:1:1: "\\n": unknown key$/, ConfigError));
  assert.throws(() => parseFeesConfig('\u0000\r'), (e) => oneLine(e, /^configs\/fees\.json: not valid JSON/, ConfigError));
  assert.throws(() => parseFeesConfig(JSON.stringify({ series: { 'KX\nFOO': [] } })), (e) => oneLine(e, /series\."KX\\nFOO"/, ConfigError));
});

test('YAML warnings (unknown tags, directives) are config errors, never printed to stderr and ignored', () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    assert.throws(() => parseIndexOps('windows: !!binary aGVsbG8=\n'), (e) => oneLine(e, /^configs\/index_ops\.yaml:1:10: not valid YAML: Unresolved tag/, ConfigError));
    assert.throws(() => parseIndexOps('%FOO bar\n---\nwindows: {}\n'), (e) => oneLine(e, /not valid YAML/, ConfigError));
    assert.throws(() => parseIndexOps('a: &a [*a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n'), (e) => oneLine(e, /./, ConfigError));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

test('deeply nested YAML is refused before composing (was: a stack overflow that can abort the process) and JSON too', () => {
  // Run inside the test runner, 50,000 levels of `[` made V8 abort the process ("RegExpCompiler Allocation
  // failed - process out of memory") from deep in the yaml composer's recursion: uncatchable.
  const deepYaml = '['.repeat(20_000) + ']'.repeat(20_000);
  assert.throws(() => parseIndexOps(`windows: ${deepYaml}\n`), (e) => oneLine(e, /^configs\/index_ops\.yaml: not valid YAML: nested deeper than 64 levels$/, ConfigError));
  assert.throws(() => parseEventDays(`days: ${deepYaml}\n`), (e) => oneLine(e, /^configs\/events\.yaml: not valid YAML: nested deeper than 64 levels$/, ConfigError));
  const deepBlock = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
  assert.throws(() => parseIndexOps(deepBlock), (e) => oneLine(e, /nested deeper than 64 levels/, ConfigError));
  assert.throws(() => parseIndexOps('- '.repeat(5_000) + 'x\n'), (e) => oneLine(e, /nested deeper than 64 levels/, ConfigError));
  const deepJson = '{"series":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
  assert.throws(() => parseFeesConfig(deepJson), (e) => oneLine(e, /^configs\/fees\.json: /, ConfigError));
});
