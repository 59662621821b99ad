/**
 * The EventBridge schedule documented in docs/deployment.md is right in EST and in EDT: for every 15-minute
 * slot of every weekday of 2026, it fires at 09:45 ET (the first window's start) and at every slot through
 * 16:00 ET (the close), and never on a weekend. The expressions are read out of the document (and the
 * Scheduler definition in deploy/eventbridge/), so the test checks what is documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Temporal } from 'temporal-polyfill';
import { parseAwsCron, type CronMatcher, type WallTime } from './aws-cron.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'deployment.md'), 'utf8');

/** The cron() expressions between `<!-- eventbridge:NAME … -->` and `<!-- /eventbridge:NAME -->`, and the marker's attributes. */
function documented(name: string): { exprs: string[]; attrs: Record<string, string> } {
  const m = new RegExp(`<!-- eventbridge:${name}((?: [a-z]+=[^ ]+)*) -->([\\s\\S]*?)<!-- /eventbridge:${name} -->`).exec(doc);
  assert.ok(m, `docs/deployment.md has an eventbridge:${name} block`);
  const attrs = Object.fromEntries([...m[1]!.matchAll(/([a-z]+)=([^ ]+)/g)].map((a) => [a[1]!, a[2]!]));
  const exprs = [...m[2]!.matchAll(/cron\([^)]*\)/g)].map((x) => x[0]);
  assert.ok(exprs.length > 0, `eventbridge:${name} names at least one cron()`);
  return { exprs, attrs };
}

function wallIn(ms: number, zone: string): WallTime {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  return { minute: z.minute, hour: z.hour, day: z.day, month: z.month, dow: (z.dayOfWeek % 7) + 1, year: z.year };
}

const fires = (rules: CronMatcher[], zone: string, ms: number) => rules.some((r) => r(wallIn(ms, zone)));

/** Every date of 2026 with its ISO weekday. */
function daysOf2026(): { date: string; iso: number }[] {
  const out: { date: string; iso: number }[] = [];
  for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) out.push({ date: d, iso: weekday(d) });
  return out;
}

/** 09:45, 10:00, …, 16:00 ET. */
const SESSION_SLOTS = Array.from({ length: 26 }, (_, i) => {
  const m = 9 * 60 + 45 + 15 * i;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});

function checkSchedule(rules: CronMatcher[], zone: string, label: string): { est: number; edt: number } {
  const regimes = { est: 0, edt: 0 };
  for (const { date, iso } of daysOf2026()) {
    if (iso >= 6) {
      for (let q = 0; q < 96; q++) {
        const ms = etToMs(date, '00:00') + q * 15 * 60_000;
        assert.equal(fires(rules, zone, ms), false, `${label}: fires on a weekend (${date} +${q * 15} min)`);
      }
      continue;
    }
    for (const slot of SESSION_SLOTS) {
      const ms = etToMs(date, slot);
      assert.ok(fires(rules, zone, ms), `${label}: does not fire at ${date} ${slot} ET (${new Date(ms).toISOString()})`);
    }
    const offset = Temporal.Instant.fromEpochMilliseconds(etToMs(date, '09:45')).toZonedDateTimeISO('America/New_York').offset;
    if (offset === '-05:00') regimes.est++;
    else regimes.edt++;
  }
  return regimes;
}

test('the documented EventBridge Scheduler rule (New York time zone) covers 09:45–16:00 ET on every weekday of 2026', () => {
  const { exprs, attrs } = documented('scheduler');
  assert.equal(attrs.timezone, 'America/New_York');
  const rules = exprs.map(parseAwsCron);
  const regimes = checkSchedule(rules, attrs.timezone!, `scheduler ${exprs.join(' + ')}`);
  assert.ok(regimes.est > 50 && regimes.edt > 150, `both DST regimes checked: ${JSON.stringify(regimes)}`);

  // The shipped Scheduler definition is the documented one.
  const def = JSON.parse(fs.readFileSync(path.join(root, 'deploy', 'eventbridge', 'scheduler-session.json'), 'utf8'));
  assert.deepEqual([def.ScheduleExpression], exprs);
  assert.equal(def.ScheduleExpressionTimezone, attrs.timezone);
  const input = JSON.parse(def.Target.Input);
  assert.deepEqual(input.Parameters.commands, ['systemctl start kalshi-alpha-supervisor.service']);
});

test('the documented UTC rule(s) cover 09:45–16:00 ET on every weekday of 2026, in EST and in EDT', () => {
  const { exprs } = documented('utc');
  const rules = exprs.map(parseAwsCron);
  const regimes = checkSchedule(rules, 'UTC', `utc ${exprs.join(' + ')}`);
  assert.ok(regimes.est > 50 && regimes.edt > 150, `both DST regimes checked: ${JSON.stringify(regimes)}`);
});

test("the seed's cron(0/15 14-21 ? * MON-FRI *) is right in winter and misses 09:45 ET all summer (the bug the doc fixes)", () => {
  const seed = [parseAwsCron('cron(0/15 14-21 ? * MON-FRI *)')];
  assert.ok(doc.includes('cron(0/15 14-21 ? * MON-FRI *)'), 'the doc names the seed rule');
  assert.equal(fires(seed, 'UTC', etToMs('2026-01-12', '09:45')), true, 'EST: 14:45 UTC');
  assert.equal(fires(seed, 'UTC', etToMs('2026-07-13', '09:45')), false, 'EDT: 13:45 UTC');
  assert.throws(() => checkSchedule(seed, 'UTC', 'seed'), /does not fire at 2026-03-09 09:45 ET/, 'the first miss is the Monday after spring-forward');
});

test('the cron evaluator: steps, ranges, names, and refusals', () => {
  const at = (e: string, t: Partial<WallTime>) => parseAwsCron(e)({ minute: 0, hour: 0, day: 1, month: 1, dow: 1, year: 2026, ...t });
  assert.equal(at('cron(0/15 * * * ? *)', { minute: 45 }), true);
  assert.equal(at('cron(0/15 * * * ? *)', { minute: 50 }), false);
  assert.equal(at('cron(5-20/5 * * * ? *)', { minute: 20 }), true);
  assert.equal(at('cron(5-20/5 * * * ? *)', { minute: 25 }), false);
  assert.equal(at('cron(0 9-16 ? * MON-FRI *)', { hour: 16, dow: 6 }), true);
  assert.equal(at('cron(0 9-16 ? * MON-FRI *)', { hour: 16, dow: 7 }), false);
  assert.equal(at('cron(0 0 ? JAN,DEC 2-6 2026)', { month: 12, dow: 2 }), true);
  for (const bad of ['cron(0 0 * * * *)', 'cron(0 0 ? * 6L *)', 'cron(0 0 ? * MON#2 *)', 'cron(0 24 * * ? *)', 'cron(0 0 * *)', 'rate(5 minutes)']) {
    assert.throws(() => parseAwsCron(bad), Error, bad);
  }
});
