/**
 * deploy/prometheus/alerts.yml loads and alerts on what the dashboard serves:
 * - structure: groups of rules, each with `alert`, `expr`, `for`, `labels.severity` and annotations
 *   `summary` + `runbook_url` (a file of this repository and one of its headings); the six alerts are there;
 * - every metric an expression names is declared by a real dashboard's /metrics over loopback, and has a
 *   sample in a home where the supervisor runs inside a window (so no rule waits on a series never served);
 * - where promtool is installed (.ci/run installs it; CI fails without it): `promtool check rules`, and
 *   `promtool test rules` on unit tests of every rule built here from its own labels and annotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startDashboard } from '../../src/dashboard/server.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { OrdersStore } from '../../src/adapters/state/orders-store.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { appendIncident } from '../../src/adapters/monitors/report.ts';
import { writeFreshnessMonitor } from '../../src/adapters/monitors/freshness.ts';
import { tempHome } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';
import { DAY, generateDay, homePaths, putSnapshot, syntheticSnapshot, writeLedger } from '../dashboard/helpers.ts';
import { parseExposition, type Family } from '../dashboard/exposition.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALERTS = path.join(ROOT, 'deploy', 'prometheus', 'alerts.yml');

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string } & Record<string, string>;
  annotations: { summary: string; runbook_url: string } & Record<string, string>;
}

const doc = YAML.parse(fs.readFileSync(ALERTS, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const rules = (doc?.groups ?? []).flatMap((g) => g.rules ?? []);
const byName = new Map(rules.map((r) => [r.alert, r]));

/** GitHub's heading anchors: lower case, punctuation removed, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

/** Markdown headings outside fenced code blocks. */
function headings(md: string): string[] {
  let fenced = false;
  const out: string[] = [];
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && /^#{1,6} /.test(line)) out.push(line.replace(/^#+ /, ''));
  }
  return out;
}

test('alerts.yml: groups of rules with alert, expr, for, severity, a summary and a runbook link that resolves', () => {
  assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0, 'groups');
  assert.equal(new Set(doc.groups.map((g) => g.name)).size, doc.groups.length, 'group names unique');
  for (const g of doc.groups) {
    assert.match(g.name, /\S/, 'group name');
    assert.ok(Array.isArray(g.rules) && g.rules.length > 0, `${g.name}: rules`);
  }
  assert.equal(byName.size, rules.length, 'alert names unique');
  for (const r of rules) {
    const where = r.alert ?? JSON.stringify(r);
    assert.deepEqual(Object.keys(r).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(k)), [], `${where}: only alerting-rule keys`);
    assert.match(r.alert, /^KalshiAlpha[A-Z][A-Za-z]+$/, `${where}: alert name`);
    assert.equal(typeof r.expr, 'string', `${where}: expr`);
    assert.match(r.expr, /kalshi_alpha_/, `${where}: expr names a kalshi-alpha metric`);
    assert.match(String(r.for), /^\d+(ms|s|m|h)$/, `${where}: for`);
    assert.ok(['critical', 'warning'].includes(r.labels?.severity), `${where}: labels.severity is critical or warning`);
    assert.ok((r.annotations?.summary ?? '').length >= 20, `${where}: annotations.summary`);
    assert.doesNotMatch(JSON.stringify(r.annotations), /\{\{/, `${where}: annotations are plain text (the unit tests compare them as written)`);
    const m = /^([\w./-]+\.md)#([\w-]+)$/.exec(r.annotations?.runbook_url ?? '');
    assert.ok(m, `${where}: runbook_url is <repo path>.md#<anchor>, got ${r.annotations?.runbook_url}`);
    const file = path.join(ROOT, m[1]!);
    assert.ok(fs.existsSync(file), `${where}: ${m[1]} exists`);
    const anchors = headings(fs.readFileSync(file, 'utf8')).map(slug);
    assert.ok(anchors.includes(m[2]!), `${where}: ${m[1]} has a heading #${m[2]} (has: ${anchors.join(', ')})`);
  }
  // The list: freshness (> 2 windows), stand-down, kill switch in a window, no quotes in an open
  // window, ledger write errors, supervisor not running during cash hours.
  for (const name of ['KalshiAlphaFeedFreshness', 'KalshiAlphaStandDown', 'KalshiAlphaKillSwitchInWindow', 'KalshiAlphaNoQuotesInWindow', 'KalshiAlphaLedgerWriteErrors', 'KalshiAlphaSupervisorDown']) {
    assert.ok(byName.has(name), `${name} present`);
  }
  assert.match(byName.get('KalshiAlphaFeedFreshness')!.expr, /kalshi_alpha_freshness_alert/);
  assert.match(byName.get('KalshiAlphaSupervisorDown')!.expr, /kalshi_alpha_cash_session_open/, 'cash hours from the calendar, not UTC arithmetic');
});

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);

/** Metric names an expression selects: identifiers that are not functions, keywords, labels or durations. */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings (label values)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' '); // ranges and subqueries
  const names = new Set<string>();
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const word = m[0];
    const before = s[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 5m, 1e3
    const rest = s.slice(m.index + word.length);
    if (LABEL_LISTS.has(word.toLowerCase())) {
      const list = /^\s*\(([^)]*)\)/.exec(rest);
      if (list) re.lastIndex = m.index + word.length + list[0].length; // label names, not metrics
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase()) || AGGREGATIONS.has(word)) continue;
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    names.add(word);
  }
  return [...names].sort();
}

test('metricNames: selectors only, never functions, keywords, label lists or durations', () => {
  assert.deepEqual(metricNames('sum by (feed) (increase(a_total{kind="x y"}[5m])) > 0 and on(window, b) c == 1 unless d offset 5m'), ['a_total', 'c', 'd']);
  assert.deepEqual(metricNames('absent(up)'), ['up']);
});

async function scrape(home: string, nowMs: number): Promise<Map<string, Family>> {
  const dash = await startDashboard({ paths: homePaths(home), calendar: createCalendar(), now: () => nowMs, host: '127.0.0.1', port: 0, defaultMetrics: false });
  try {
    const res = await fetch(dash.url + 'metrics');
    assert.equal(res.status, 200);
    return parseExposition(await res.text());
  } finally {
    await dash.close();
  }
}

const STATS = { started_ms: 1, event_loop_lag_ms: 2, ledger_write_ms: 1, quotes: 40, fills: 3, cancels: 30, rejects: 0, errors: 0, no_go: {} };

test('every metric an alert expression names is served by a real dashboard (declared always, sampled while the supervisor runs a window)', async () => {
  const names = [...new Set(rules.flatMap((r) => metricNames(r.expr)))].sort();
  assert.ok(names.length >= 8, `names found: ${names.join(', ')}`);
  const inWindow = etToMs(DAY, '15:55:00'); // close-1600 open for quoting, cash session open

  // A working root where everything exists: a running supervisor (stats), ledger, orders, monitors, report.
  const home = tempHome('alerts-metrics-');
  const paths = homePaths(home);
  writeLedger(paths.ledger, generateDay(5, ['hourly-1500']));
  putSnapshot(paths, syntheticSnapshot({ stats: STATS }));
  new OrdersStore(paths.ordersState, new VirtualClock(inWindow)).markCancelAll('dry', 'operator');
  writeFreshnessMonitor(paths.monitorsDir, {
    nowMs: inWindow,
    clock: 'real',
    window: { id: `${DAY}/close-1600`, label: 'close-1600' },
    thresholds: { softMs: 1500, strictMs: 800 },
    ages: { polygon: 100, massive: 200 },
    dualFeed: { active: 'polygon', lastSwitchAt: null, switches: 0 },
  });
  appendIncident(paths.reportMd, inWindow, 'ledger_error', 'paper ledger not writable (3 records waiting): quoting stopped');
  const full = await scrape(home, inWindow);
  for (const name of names) {
    assert.ok(full.has(name), `${name} is declared in /metrics`);
    assert.ok(full.get(name)!.samples.length > 0, `${name} has a sample while the supervisor runs a window`);
  }
  // The calendar gauges and the incident counter say what the rules rely on.
  const v = (name: string, labels: Record<string, string> = {}) => full.get(name)!.samples.find((x) => Object.entries(labels).every(([k, w]) => x.labels[k] === w))?.value;
  assert.equal(v('kalshi_alpha_cash_session_open'), 1);
  assert.equal(v('kalshi_alpha_calendar_window_open'), 1);
  assert.equal(v('kalshi_alpha_incidents_total', { kind: 'ledger_error' }), 1);
  assert.equal(v('kalshi_alpha_incidents_total', { kind: 'stand_down' }), 0, 'every known kind from zero (increase() needs the series before the first incident)');

  // An empty working root: every family still declared (absent() and the calendar rules still evaluate).
  const empty = await scrape(tempHome('alerts-metrics-empty-'), etToMs(DAY, '20:00'));
  for (const name of names) assert.ok(empty.has(name), `${name} declared without any file`);
  assert.equal(empty.get('kalshi_alpha_cash_session_open')!.samples[0]?.value, 0, 'after the close');
});

// ---- promtool ----

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const havePromtool = promtool.status === 0;
const skipPromtool = havePromtool ? false : process.env.CI ? false : 'promtool is not installed (.ci/run installs it from Debian\'s prometheus package)';

interface Series {
  series: string;
  values: string;
}

/** Unit tests per alert: [input series, interval, [eval time, firing?]...]; labels beyond severity per alert. */
const CASES: { alert: string; interval: string; series: Series[]; evals: [string, boolean][]; labels?: Record<string, string> }[] = [
  { alert: 'KalshiAlphaMetricsAbsent', interval: '1m', series: [{ series: 'unrelated', values: '1x10' }], evals: [['3m', false], ['6m', true]] },
  { alert: 'KalshiAlphaMetricsAbsent', interval: '1m', series: [{ series: 'kalshi_alpha_supervisor_up', values: '0x10' }], evals: [['8m', false]] },
  // Down all along; the cash session opens at 3m: pending until 4m, firing from then.
  { alert: 'KalshiAlphaSupervisorDown', interval: '1m', series: [{ series: 'kalshi_alpha_supervisor_up', values: '0x10' }, { series: 'kalshi_alpha_cash_session_open', values: '0 0 0 1x8' }], evals: [['2m', false], ['3m', false], ['5m', true]] },
  { alert: 'KalshiAlphaSupervisorDown', interval: '1m', series: [{ series: 'kalshi_alpha_supervisor_up', values: '1x10' }, { series: 'kalshi_alpha_cash_session_open', values: '1x10' }], evals: [['5m', false]] },
  { alert: 'KalshiAlphaFeedFreshness', interval: '1m', series: [{ series: 'kalshi_alpha_freshness_alert', values: '0 0 1x8' }], evals: [['2m', false], ['4m', true]] },
  { alert: 'KalshiAlphaStandDown', interval: '15s', labels: { feed: 'stand_down' }, series: [{ series: 'kalshi_alpha_active_feed{feed="stand_down"}', values: '0 1x10' }, { series: 'kalshi_alpha_active_feed{feed="polygon"}', values: '1 0x10' }], evals: [['30s', false], ['1m', true]] },
  { alert: 'KalshiAlphaKillSwitchInWindow', interval: '30s', series: [{ series: 'kalshi_alpha_kill_switch_engaged', values: '1x10' }, { series: 'kalshi_alpha_calendar_window_open', values: '0 0 1x8' }], evals: [['1m', false], ['2m', true]] },
  { alert: 'KalshiAlphaKillSwitchInWindow', interval: '30s', series: [{ series: 'kalshi_alpha_kill_switch_engaged', values: '1x10' }, { series: 'kalshi_alpha_calendar_window_open', values: '0x10' }], evals: [['4m', false]] },
  ...noQuotes(),
  // A ledger_error incident at 3m fires at once and for the 15 minutes after; an old one (there from the start) never.
  { alert: 'KalshiAlphaLedgerWriteErrors', interval: '1m', labels: { kind: 'ledger_error' }, series: [{ series: 'kalshi_alpha_incidents_total{kind="ledger_error"}', values: '0 0 0 1x30' }], evals: [['2m', false], ['4m', true], ['25m', false]] },
  { alert: 'KalshiAlphaLedgerWriteErrors', interval: '1m', series: [{ series: 'kalshi_alpha_incidents_total{kind="ledger_error"}', values: '1x30' }], evals: [['20m', false]] },
  { alert: 'KalshiAlphaLedgerInvalidLines', interval: '1m', series: [{ series: 'kalshi_alpha_ledger_invalid_lines', values: '2 2 2 3x10' }], evals: [['2m', false], ['4m', true]] },
  { alert: 'KalshiAlphaDashboardReadErrors', interval: '1m', series: [{ series: 'kalshi_alpha_dashboard_read_errors', values: '1x10' }], evals: [['3m', false], ['6m', true]] },
];

function noQuotes(): typeof CASES {
  const base = (over: Record<string, string>): Series[] =>
    Object.entries({
      kalshi_alpha_calendar_window_open: '1x20',
      kalshi_alpha_supervisor_up: '1x20',
      'kalshi_alpha_outstanding_orders{mode="dry"}': '0x20',
      'kalshi_alpha_outstanding_orders{mode="live"}': '0x20',
      kalshi_alpha_quotes_total: '40x20',
      kalshi_alpha_kill_switch_engaged: '0x20',
      'kalshi_alpha_active_feed{feed="stand_down"}': '0x20',
      ...over,
    }).map(([series, values]) => ({ series, values }));
  const a = 'KalshiAlphaNoQuotesInWindow';
  return [
    { alert: a, interval: '1m', series: base({}), evals: [['1m', false], ['8m', true]] },
    { alert: a, interval: '1m', series: base({ kalshi_alpha_quotes_total: '40+5x20' }), evals: [['8m', false]] },
    { alert: a, interval: '1m', series: base({ 'kalshi_alpha_outstanding_orders{mode="dry"}': '4x20' }), evals: [['8m', false]] },
    { alert: a, interval: '1m', series: base({ kalshi_alpha_kill_switch_engaged: '1x20' }), evals: [['8m', false]] },
    { alert: a, interval: '1m', series: base({ 'kalshi_alpha_active_feed{feed="stand_down"}': '1x20' }), evals: [['8m', false]] },
    { alert: a, interval: '1m', series: base({ kalshi_alpha_calendar_window_open: '0x20' }), evals: [['8m', false]] },
  ];
}

test('promtool: the rules load, and each fires exactly when it should (promtool test rules)', { skip: skipPromtool }, () => {
  assert.ok(havePromtool, 'promtool is required in CI (.ci/run installs it)');
  const check = spawnSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));

  assert.deepEqual([...byName.keys()].filter((n) => !CASES.some((c) => c.alert === n)), [], 'every rule has a unit test');
  const tests = CASES.map((c) => {
    const r = byName.get(c.alert);
    assert.ok(r, `${c.alert} exists`);
    return {
      interval: c.interval,
      input_series: c.series,
      alert_rule_test: c.evals.map(([eval_time, firing]) => ({
        eval_time,
        alertname: c.alert,
        exp_alerts: firing ? [{ exp_labels: { ...r.labels, ...c.labels }, exp_annotations: r.annotations }] : [],
      })),
    };
  });
  const dir = tempDir('alerts-promtool-');
  const file = path.join(dir, 'alerts.test.yml');
  fs.writeFileSync(file, YAML.stringify({ rule_files: [ALERTS], evaluation_interval: '15s', tests }));
  const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS/);
  fs.rmSync(dir, { recursive: true });
});
