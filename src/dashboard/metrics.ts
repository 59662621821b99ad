/**
 * `/metrics` (Prometheus text exposition, prom-client): what the supervisor's snapshot says — feed ages,
 * the active feed, today's window states, counters from its optional `stats` section — plus what the
 * dashboard derives from the files (ledger records and realised PnL of the day, kill switch, orders) and
 * the dashboard process's own default metrics (`process_*`, `nodejs_*`).
 *
 * Values that come from another process are not prom-client Gauges/Counters (those always print a 0 for
 * a label-less series): they are exported only while known — e.g. feed ages only while the supervisor is
 * running, the `stats` counters only when the snapshot carries them — so an alert never fires on a
 * made-up zero. Units are Prometheus base units (seconds, dollars).
 */
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { WINDOW_STATES, type Snapshot } from '../app/snapshot.ts';
import { INCIDENT_KINDS } from '../adapters/monitors/report.ts';
import type { DashboardView } from './view.ts';

type Labels = Record<string, string>;
interface Sample {
  labels: Labels;
  value: number;
}

/** A metric whose samples are replaced wholesale on every scrape (none: only HELP and TYPE are printed). */
class ExternalMetric {
  readonly aggregator = 'sum';
  private values: Sample[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
  ) {}

  set(values: Sample[]): void {
    this.values = values.filter((v) => Number.isFinite(v.value));
  }

  get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values.map((v) => ({ labels: { ...v.labels }, value: v.value })) };
  }

  reset(): void {
    this.values = [];
  }
}

const FEEDS = ['polygon', 'massive'] as const;
const ACTIVE_FEEDS = ['polygon', 'massive', 'stand_down'] as const;

export interface MetricsInput {
  view: DashboardView;
  /** The validated snapshot when readable (stats, counters). */
  snapshot: Snapshot | null;
}

export class DashboardMetrics {
  readonly registry = new Registry();
  private readonly m = new Map<string, ExternalMetric>();

  constructor(o: { defaultMetrics?: boolean } = {}) {
    const def = (name: string, type: 'gauge' | 'counter', help: string) => {
      const metric = new ExternalMetric(name, help, type);
      this.m.set(name, metric);
      this.registry.registerMetric(metric as unknown as Metric);
    };
    def('kalshi_alpha_supervisor_up', 'gauge', '1 while the supervisor runs (snapshot present, running, pid alive, rewritten within the last 5 s by mtime)');
    def('kalshi_alpha_snapshot_age_seconds', 'gauge', 'Real time since hot_restart.json was last rewritten (file mtime)');
    def('kalshi_alpha_feed_age_seconds', 'gauge', 'Index feed age (time since the last message was received), per feed; only while the supervisor runs');
    def('kalshi_alpha_feed_lag_seconds', 'gauge', "Index feed lag (receipt time minus the message's own timestamp), per feed; only while the supervisor runs");
    def('kalshi_alpha_feed_stale', 'gauge', '1 when the feed age exceeds the freshness threshold that applies now (soft, or strict from strict_et)');
    def('kalshi_alpha_active_feed', 'gauge', 'The active index feed (1 for the active one): polygon, massive or stand_down');
    def('kalshi_alpha_feed_switches_total', 'counter', 'Failover transitions since the supervisor started');
    def('kalshi_alpha_window_state', 'gauge', "Today's windows by state (1 for the current state of each window)");
    def('kalshi_alpha_window_quotes', 'gauge', "Quotes placed in each of today's windows (ledger; the snapshot's count when the ledger has none)");
    def('kalshi_alpha_window_fills', 'gauge', "Paper fills in each of today's windows (ledger; the snapshot's count when the ledger has none)");
    def('kalshi_alpha_window_pnl_dollars', 'gauge', "Realised PnL after fees of each of today's windows (ledger settlements; the snapshot's when the ledger has none)");
    def('kalshi_alpha_quotes_total', 'counter', 'Quotes placed since the supervisor started (snapshot stats)');
    def('kalshi_alpha_fills_total', 'counter', 'Paper fills since the supervisor started (snapshot stats)');
    def('kalshi_alpha_cancels_total', 'counter', 'Cancels since the supervisor started (snapshot stats)');
    def('kalshi_alpha_rejects_total', 'counter', 'Order rejects since the supervisor started (snapshot stats)');
    def('kalshi_alpha_errors_total', 'counter', 'Errors since the supervisor started (snapshot stats)');
    def('kalshi_alpha_preflight_no_go_total', 'counter', "Windows blocked by each preflight NO-GO reason (snapshot stats; without stats, today's NO-GO windows)");
    def('kalshi_alpha_supervisor_event_loop_lag_seconds', 'gauge', "Supervisor's event-loop delay p99 over the last second (snapshot stats)");
    def('kalshi_alpha_ledger_write_latency_seconds', 'gauge', 'Median ledger group-commit latency over the last 100 writes (snapshot stats)');
    def('kalshi_alpha_outstanding_orders', 'gauge', 'Outstanding orders per mode (orders.json)');
    def('kalshi_alpha_cancel_all_pending', 'gauge', 'A cancel-all marker is pending, per mode (orders.json)');
    def('kalshi_alpha_kill_switch_engaged', 'gauge', '1 while the kill-switch sentinel file exists');
    def('kalshi_alpha_maintenance_active', 'gauge', '1 during an exchange maintenance slot (snapshot)');
    def('kalshi_alpha_ledger_records', 'gauge', "Paper ledger records of the dashboard's day, by type");
    def('kalshi_alpha_paper_realized_pnl_dollars', 'gauge', "Cumulative realised paper PnL after fees of the dashboard's day (settlement records)");
    def('kalshi_alpha_ledger_invalid_lines', 'gauge', 'Invalid ledger lines skipped since the dashboard started reading the current file');
    def('kalshi_alpha_freshness_alert', 'gauge', '1 when the freshness monitor alerts (more than 2 consecutive windows stale or on massive)');
    def('kalshi_alpha_dashboard_read_errors', 'gauge', 'Files the dashboard could not read or validate on its last refresh');
    def('kalshi_alpha_incidents_total', 'counter', 'REPORT.md incident lines by kind (every known kind from zero; counted over the file, so a dashboard restart does not reset it)');
    def('kalshi_alpha_cash_session_open', 'gauge', "1 while the calendar's cash session is open (09:30 ET to the day's close) by the dashboard's wall clock");
    def('kalshi_alpha_calendar_window_open', 'gauge', "1 while one of the calendar's windows is open for quoting (start to freeze) by the dashboard's wall clock");
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  private set(name: string, values: Sample[]): void {
    const m = this.m.get(name);
    if (!m) throw new Error(`unknown metric ${name}`);
    m.set(values);
  }

  update({ view, snapshot: s }: MetricsInput): void {
    const one = (value: number, labels: Labels = {}): Sample[] => [{ labels, value }];
    const sup = view.supervisor;
    const running = sup.running;
    this.set('kalshi_alpha_supervisor_up', one(running ? 1 : 0));
    this.set('kalshi_alpha_snapshot_age_seconds', sup.snapshot_age_ms === null ? [] : one(sup.snapshot_age_ms / 1000));

    const f = running ? view.feeds : null;
    this.set('kalshi_alpha_feed_age_seconds', f ? FEEDS.flatMap((k) => (f[k].age_ms === null ? [] : one(f[k].age_ms! / 1000, { feed: k }))) : []);
    this.set('kalshi_alpha_feed_lag_seconds', f ? FEEDS.flatMap((k) => (f[k].lag_ms === null ? [] : one(f[k].lag_ms! / 1000, { feed: k }))) : []);
    this.set('kalshi_alpha_feed_stale', f ? FEEDS.flatMap((k) => (f[k].stale === null ? [] : one(f[k].stale ? 1 : 0, { feed: k }))) : []);
    this.set('kalshi_alpha_active_feed', f ? ACTIVE_FEEDS.map((k) => ({ labels: { feed: k }, value: f.active === k ? 1 : 0 })) : []);
    this.set('kalshi_alpha_feed_switches_total', s?.feeds ? one(s.feeds.switches) : []);

    const windows = view.timeline.windows;
    this.set('kalshi_alpha_window_state', windows.flatMap((w) => WINDOW_STATES.map((st) => ({ labels: { window: w.label, state: st }, value: w.state === st ? 1 : 0 }))));
    this.set('kalshi_alpha_window_quotes', windows.flatMap((w) => (w.quotes === null ? [] : one(w.quotes, { window: w.label }))));
    this.set('kalshi_alpha_window_fills', windows.flatMap((w) => (w.fills === null ? [] : one(w.fills, { window: w.label }))));
    this.set('kalshi_alpha_window_pnl_dollars', windows.flatMap((w) => (w.pnl_usd === null ? [] : one(w.pnl_usd, { window: w.label }))));

    const st = s?.stats;
    this.set('kalshi_alpha_quotes_total', st ? one(st.quotes) : []);
    this.set('kalshi_alpha_fills_total', st ? one(st.fills) : []);
    this.set('kalshi_alpha_cancels_total', st ? one(st.cancels) : []);
    this.set('kalshi_alpha_rejects_total', st ? one(st.rejects) : []);
    this.set('kalshi_alpha_errors_total', st ? one(st.errors) : []);
    let noGo: Record<string, number>;
    if (st) noGo = st.no_go;
    else {
      noGo = {};
      for (const w of windows) if (w.state === 'no_go') for (const r of w.reasons) noGo[r] = (noGo[r] ?? 0) + 1;
    }
    this.set('kalshi_alpha_preflight_no_go_total', Object.entries(noGo).sort(([a], [b]) => a.localeCompare(b)).map(([reason, n]) => ({ labels: { reason }, value: n })));
    this.set('kalshi_alpha_supervisor_event_loop_lag_seconds', st && st.event_loop_lag_ms !== null ? one(st.event_loop_lag_ms / 1000) : []);
    this.set('kalshi_alpha_ledger_write_latency_seconds', st && st.ledger_write_ms !== null ? one(st.ledger_write_ms / 1000) : []);

    const byMode = (mode: string) => view.orders.items.filter((o) => o.mode === mode).length;
    this.set('kalshi_alpha_outstanding_orders', view.orders.error ? [] : ['dry', 'live'].map((mode) => ({ labels: { mode }, value: byMode(mode) })));
    this.set('kalshi_alpha_cancel_all_pending', view.orders.error ? [] : ['dry', 'live'].map((mode) => ({ labels: { mode }, value: view.safety.cancel_all.some((c) => c.mode === mode) ? 1 : 0 })));
    const ks = view.safety.kill_switch.engaged;
    this.set('kalshi_alpha_kill_switch_engaged', ks === null ? [] : one(ks ? 1 : 0));
    this.set('kalshi_alpha_maintenance_active', s ? one(view.safety.maintenance?.active ? 1 : 0) : []);
    this.set('kalshi_alpha_ledger_records', Object.entries(view.ledger.day_counts).map(([type, n]) => ({ labels: { type }, value: n })));
    this.set('kalshi_alpha_paper_realized_pnl_dollars', one(view.pnl.total_usd));
    this.set('kalshi_alpha_ledger_invalid_lines', one(view.ledger.skipped.count));
    this.set('kalshi_alpha_freshness_alert', view.monitors.freshness ? one(view.monitors.freshness.alert ? 1 : 0) : []);
    this.set('kalshi_alpha_dashboard_read_errors', one(view.errors.length));
    const kinds = [...new Set([...INCIDENT_KINDS, ...Object.keys(view.incidents.by_kind)])].sort();
    this.set('kalshi_alpha_incidents_total', kinds.map((kind) => ({ labels: { kind }, value: view.incidents.by_kind[kind] ?? 0 })));
    const cash = view.meta.cash_session_open;
    this.set('kalshi_alpha_cash_session_open', cash === null ? [] : one(cash ? 1 : 0));
    this.set('kalshi_alpha_calendar_window_open', cash === null ? [] : one(view.meta.calendar_window !== null ? 1 : 0));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
