/**
 * `/metrics` parses as Prometheus text exposition (format 0.0.4, checked by the strict parser of exposition.ts)
 * and carries: feed age per feed, active feed, window state, quotes, fills, cancels, rejects, preflight
 * NO-GO by reason, errors, event-loop lag, ledger write latency — plus the dashboard's own process
 * metrics. Without the snapshot's `stats` section the counters it alone knows are absent, not zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard } from '../../src/dashboard/server.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { tempHome } from '../helpers/cli.ts';
import { generateDay, homePaths, putSnapshot, syntheticSnapshot, writeLedger } from './helpers.ts';
import { parseExposition, type Family } from './exposition.ts';

const STATS = {
  started_ms: 1,
  event_loop_lag_ms: 12.5,
  ledger_write_ms: 3.25,
  quotes: 749,
  fills: 15,
  cancels: 731,
  rejects: 2,
  errors: 1,
  no_go: { kill_switch_engaged: 1, 'calibration_stale:INXU:hourly:20d': 2 },
};

async function scrape(home: string): Promise<Map<string, Family>> {
  const dash = await startDashboard({ paths: homePaths(home), calendar: createCalendar(), now: () => Date.now(), host: '127.0.0.1', port: 0 });
  try {
    const res = await fetch(dash.url + 'metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  } finally {
    await dash.close();
  }
}

const value = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  const fam = f.get(name);
  assert.ok(fam, `${name} missing`);
  const s = fam.samples.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  assert.ok(s, `${name}${JSON.stringify(labels)} missing`);
  return s.value;
};

test('/metrics with a running supervisor whose snapshot carries stats: every required metric, right values and types', async () => {
  const home = tempHome('dash-metrics-');
  const paths = homePaths(home);
  writeLedger(paths.ledger, generateDay(11, ['hourly-1500']));
  putSnapshot(paths, syntheticSnapshot({ stats: STATS, states: { 'hourly-1400': 'no_go' }, reasons: { 'hourly-1400': ['kill_switch_engaged'] } }));
  const f = await scrape(home);
  assert.equal(value(f, 'kalshi_alpha_supervisor_up'), 1);
  assert.equal(value(f, 'kalshi_alpha_feed_age_seconds', { feed: 'polygon' }), 2.4);
  assert.equal(value(f, 'kalshi_alpha_feed_age_seconds', { feed: 'massive' }), 0.15);
  assert.equal(value(f, 'kalshi_alpha_active_feed', { feed: 'massive' }), 1);
  assert.equal(value(f, 'kalshi_alpha_active_feed', { feed: 'polygon' }), 0);
  assert.equal(value(f, 'kalshi_alpha_feed_stale', { feed: 'polygon' }), 1);
  assert.equal(value(f, 'kalshi_alpha_window_state', { window: 'close-1600', state: 'active' }), 1);
  assert.equal(value(f, 'kalshi_alpha_window_state', { window: 'close-1600', state: 'pending' }), 0);
  assert.equal(value(f, 'kalshi_alpha_window_state', { window: 'hourly-1400', state: 'no_go' }), 1);
  assert.equal(value(f, 'kalshi_alpha_quotes_total'), 749);
  assert.equal(value(f, 'kalshi_alpha_fills_total'), 15);
  assert.equal(value(f, 'kalshi_alpha_cancels_total'), 731);
  assert.equal(value(f, 'kalshi_alpha_rejects_total'), 2);
  assert.equal(value(f, 'kalshi_alpha_errors_total'), 1);
  assert.equal(value(f, 'kalshi_alpha_preflight_no_go_total', { reason: 'calibration_stale:INXU:hourly:20d' }), 2);
  assert.equal(value(f, 'kalshi_alpha_preflight_no_go_total', { reason: 'kill_switch_engaged' }), 1);
  assert.equal(value(f, 'kalshi_alpha_supervisor_event_loop_lag_seconds'), 0.0125);
  assert.equal(value(f, 'kalshi_alpha_ledger_write_latency_seconds'), 0.00325);
  assert.ok(value(f, 'kalshi_alpha_ledger_records', { type: 'quote' }) > 0);
  assert.ok(value(f, 'kalshi_alpha_window_quotes', { window: 'hourly-1500' }) > 0);
  assert.equal(value(f, 'kalshi_alpha_kill_switch_engaged'), 0);
  for (const [name, type] of [['kalshi_alpha_quotes_total', 'counter'], ['kalshi_alpha_preflight_no_go_total', 'counter'], ['kalshi_alpha_feed_age_seconds', 'gauge'], ['kalshi_alpha_window_state', 'gauge']] as const) {
    assert.equal(f.get(name)!.type, type, name);
  }
  // The dashboard process's own default metrics.
  assert.ok(f.get('process_cpu_user_seconds_total')?.samples.length);
  assert.ok(f.get('nodejs_eventloop_lag_seconds')?.samples.length);
});

test('/metrics without stats or a running supervisor: exports what it has, never made-up zeros', async () => {
  const home = tempHome('dash-metrics-');
  const paths = homePaths(home);
  putSnapshot(paths, syntheticSnapshot({ states: { 'hourly-1400': 'no_go' }, reasons: { 'hourly-1400': ['exchange_inactive'] } }));
  let f = await scrape(home);
  assert.equal(value(f, 'kalshi_alpha_supervisor_up'), 1);
  assert.equal(value(f, 'kalshi_alpha_feed_age_seconds', { feed: 'polygon' }), 2.4);
  for (const name of ['kalshi_alpha_quotes_total', 'kalshi_alpha_fills_total', 'kalshi_alpha_cancels_total', 'kalshi_alpha_rejects_total', 'kalshi_alpha_errors_total', 'kalshi_alpha_supervisor_event_loop_lag_seconds', 'kalshi_alpha_ledger_write_latency_seconds']) {
    assert.ok(f.has(name), `${name} declared`);
    assert.equal(f.get(name)!.samples.length, 0, `${name} has no sample without stats`);
  }
  // NO-GO by reason falls back to today's NO-GO windows.
  assert.equal(value(f, 'kalshi_alpha_preflight_no_go_total', { reason: 'exchange_inactive' }), 1);

  // A stopped supervisor: up 0, no feed ages.
  putSnapshot(paths, syntheticSnapshot({ running: false }));
  f = await scrape(home);
  assert.equal(value(f, 'kalshi_alpha_supervisor_up'), 0);
  assert.equal(f.get('kalshi_alpha_feed_age_seconds')!.samples.length, 0);

  // Nothing at all in the home.
  f = await scrape(tempHome('dash-metrics-empty-'));
  assert.equal(value(f, 'kalshi_alpha_supervisor_up'), 0);
  assert.equal(f.get('kalshi_alpha_snapshot_age_seconds')!.samples.length, 0);
  assert.equal(value(f, 'kalshi_alpha_paper_realized_pnl_dollars'), 0);
});
