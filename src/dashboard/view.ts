/**
 * Everything the page shows, rebuilt from the files on each refresh (once a second while a page is
 * open, and on each /metrics scrape). Sections are plain JSON; the server sends a page only the
 * sections that changed. Nothing here throws on file content: a bad file becomes an entry in `errors`
 * (and the section says what it could not read).
 */
import path from 'node:path';
import type { Paths } from '../config/paths.ts';
import type { TradingCalendar } from '../core/calendar/calendar.ts';
import { windowsForDay, DEFAULT_WINDOWS_CONFIG, type WindowsConfig } from '../core/windows.ts';
import { etDateOf, formatEt, etTimeOf } from '../core/time/et.ts';
import type { LedgerRecord } from '../core/ledger/record.ts';
import type { ReliabilityBin } from '../core/scoreboard.ts';
import { windowTimes, type Snapshot, type WindowEntry, type WindowState } from '../app/snapshot.ts';
import { evGapSource, freshnessSource, ordersSource, readKillSwitch, snapshotSource, type JsonFileSource, type OrdersFile, type EvGapFile, type FreshnessFile } from './file-sources.ts';
import { LedgerView, type DayAggregate } from './ledger-view.ts';
import { IncidentsView, type Incident } from './incidents-view.ts';
import { calendarNow } from './calendar-now.ts';
import { judgeLiveness, pidAlive as realPidAlive, DEFAULT_STALE_AFTER_MS, type Liveness } from './liveness.ts';

export interface WindowView {
  id: string;
  label: string;
  series: string[];
  start_ms: number;
  strict_ms: number;
  freeze_ms: number;
  target_ms: number;
  start_et: string;
  target_et: string;
  state: WindowState;
  reasons: string[];
  quotes: number | null;
  fills: number | null;
  pnl_usd: number | null;
  /** e.g. "passed, not run by this supervisor", "interrupted". */
  note: string | null;
}

export interface FeedView {
  age_ms: number | null;
  lag_ms: number | null;
  stale: boolean | null;
}

export interface DashboardView {
  meta: {
    generated_ms: number;
    generated_et: string;
    home: string;
    /** By the dashboard's wall clock and the calendar (null outside its years): the cash session is open now. */
    cash_session_open: boolean | null;
    /** The label of the calendar's window open for quoting now (start ≤ now < freeze), else null. */
    calendar_window: string | null;
  };
  supervisor: {
    running: boolean;
    code: 'running' | Extract<Liveness, { running: false }>['code'];
    reason: string | null;
    pid: number | null;
    snapshot_age_ms: number | null;
    source: Snapshot['source'] | null;
    mode: Snapshot['mode'] | null;
    captured_et: string | null;
  };
  timeline: {
    day: string;
    /** The timeline's "now": the supervisor's clock while it runs (virtual in a simulation), else the wall clock. */
    now_ms: number;
    now_et: string;
    clock: 'supervisor' | 'dashboard';
    source: 'snapshot' | 'calendar';
    session: string;
    active_id: string | null;
    windows: WindowView[];
  };
  feeds: {
    live: boolean;
    active: string | null;
    switches: number | null;
    last_switch_et: string | null;
    threshold_ms: number;
    strict: boolean;
    polygon: FeedView;
    massive: FeedView;
  } | null;
  safety: {
    kill_switch: { engaged: boolean | null; armed_at: string | null; reason: string | null; path: string; error: string | null };
    supervisor_saw_kill_switch: boolean | null;
    maintenance: { start_et: string; end_et: string; active: boolean } | null;
    cancel_all: { mode: string; reason: string; at_et: string }[];
  };
  orders: {
    error: string | null;
    updated_et: string | null;
    count: number;
    snapshot_count: number | null;
    items: { mode: string; client_order_id: string; market: string; side: string; price: number; size: number; filled: number; status: string; submitted_et: string }[];
  };
  ledger: {
    file: string;
    exists: boolean;
    records: { seq: number; type: string; time_et: string; series: string; window: string; market: string; side: string; price: number; size: number; detail: string }[];
    day_counts: Record<string, number>;
    skipped: { count: number; last: { line: number; reason: string }[] };
    partial_bytes: number;
    behind: boolean;
  };
  pnl: { day: string; points: [number, number][]; total_usd: number };
  reliability: { day: string; n: number; brier: number | null; log_loss: number | null; bins: ReliabilityBin[] };
  incidents: { total: number; by_kind: Record<string, number>; items: Incident[] };
  monitors: {
    freshness: { window: string | null; generated_at: string; required_feeds_ok: boolean; alert: boolean; consecutive_windows: number; active: string } | null;
    ev_gap: { window: string | null; generated_at: string; max_abs_gap_cents: number; mean_abs_gap_cents: number; markets: number } | null;
  };
  errors: { source: string; message: string }[];
}

export interface DashboardDataOptions {
  paths: Paths;
  killSwitchFile?: string;
  calendar: TradingCalendar;
  windowsConfig?: WindowsConfig;
  freshness?: { softMs: number; strictMs: number };
  /** Wall clock (the dashboard is an adapter-level server; injectable for tests). */
  now: () => number;
  pidAlive?: (pid: number) => boolean;
  staleAfterMs?: number;
  recentRecords?: number;
}

const FINAL_STATES: ReadonlySet<WindowState> = new Set(['done', 'no_go', 'error', 'skipped']);

export class DashboardData {
  private readonly snapshot: JsonFileSource<Snapshot>;
  private readonly orders: JsonFileSource<OrdersFile>;
  private readonly freshness: JsonFileSource<FreshnessFile>;
  private readonly evGap: JsonFileSource<EvGapFile>;
  readonly ledger: LedgerView;
  private readonly incidents: IncidentsView;
  private readonly killSwitchFile: string;
  private readonly windowsConfig: WindowsConfig;
  private readonly thresholds: { softMs: number; strictMs: number };
  /** The snapshot as last validated (null when missing or invalid), for /metrics. */
  lastSnapshot: Snapshot | null = null;

  constructor(private readonly o: DashboardDataOptions) {
    const p = o.paths;
    this.snapshot = snapshotSource(p.hotRestart);
    this.orders = ordersSource(p.ordersState);
    this.freshness = freshnessSource(path.join(p.monitorsDir, 'freshness.json'));
    this.evGap = evGapSource(path.join(p.monitorsDir, 'ev_gap.json'));
    this.windowsConfig = o.windowsConfig ?? DEFAULT_WINDOWS_CONFIG;
    this.ledger = new LedgerView(p.ledger, { recent: o.recentRecords ?? 50, freezeOffsetMs: this.windowsConfig.freeze_offset_seconds * 1000 });
    this.incidents = new IncidentsView(p.reportMd);
    this.killSwitchFile = o.killSwitchFile ?? p.killSwitch;
    this.thresholds = o.freshness ?? { softMs: 1500, strictMs: 800 };
  }

  /** Reads what changed and builds the whole view. Never throws. */
  refresh(): DashboardView {
    const errors: DashboardView['errors'] = [];
    const guard = <T>(source: string, fn: () => T, fallback: T): T => {
      try {
        return fn();
      } catch (e) {
        errors.push({ source, message: (e as Error).message });
        return fallback;
      }
    };
    const wallNow = this.o.now();

    // Supervisor liveness and the snapshot.
    const snap = this.snapshot.read();
    if (snap.kind === 'invalid') errors.push({ source: 'snapshot', message: `${this.o.paths.hotRestart}: ${snap.reason}` });
    const live = judgeLiveness({
      snapshot: snap.kind === 'ok' ? { kind: 'ok', value: snap.value, mtimeMs: snap.sig.mtimeMs } : snap,
      wallNowMs: wallNow,
      pidAlive: this.o.pidAlive ?? realPidAlive,
      staleAfterMs: this.o.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    });
    const s = snap.kind === 'ok' ? snap.value : null;
    this.lastSnapshot = s;
    const running = live.running;
    const supervisor: DashboardView['supervisor'] = {
      running,
      code: live.running ? 'running' : live.code,
      reason: live.running ? null : live.reason,
      pid: live.pid ?? null,
      snapshot_age_ms: live.snapshotAgeMs ?? null,
      source: s?.source ?? null,
      mode: s?.mode ?? null,
      captured_et: s?.captured_at ?? null,
    };

    // Timeline: the supervisor's day and clock while it runs, else the wall clock's day from the calendar.
    const refNow = running && s ? s.captured_ms : wallNow;
    const day = (running && s?.day) || etDateOf(refNow);
    guard('ledger', () => this.ledger.poll(), undefined);
    const agg = this.ledger.day(day);
    const timeline = guard('calendar', () => this.timeline(day, refNow, running, s, agg), {
      day,
      now_ms: refNow,
      now_et: formatEt(refNow),
      clock: running ? 'supervisor' : 'dashboard',
      source: 'calendar',
      session: 'unknown',
      active_id: null,
      windows: [],
    } as DashboardView['timeline']);

    // Feeds (from the snapshot; last known when the supervisor is not running).
    let feeds: DashboardView['feeds'] = null;
    if (s?.feeds) {
      const active = s.active_window;
      const strict = active ? refNow >= active.strict_ms : false;
      const threshold = strict ? this.thresholds.strictMs : this.thresholds.softMs;
      const fv = (f: { age_ms: number | null; lag_ms: number | null }): FeedView => ({
        age_ms: f.age_ms === null ? null : Math.round(f.age_ms),
        lag_ms: f.lag_ms === null ? null : Math.round(f.lag_ms),
        stale: f.age_ms === null ? true : f.age_ms > threshold,
      });
      feeds = {
        live: running,
        active: s.feeds.active,
        switches: s.feeds.switches,
        last_switch_et: s.feeds.last_switch_ms === null ? null : formatEt(s.feeds.last_switch_ms),
        threshold_ms: threshold,
        strict,
        polygon: fv(s.feeds.polygon),
        massive: fv(s.feeds.massive),
      };
    }

    // Kill switch, maintenance, cancel-all markers; orders.
    const ks = readKillSwitch(this.killSwitchFile);
    if (ks.kind === 'invalid') errors.push({ source: 'kill_switch', message: `${this.killSwitchFile}: ${ks.reason}` });
    const ord = this.orders.read();
    if (ord.kind === 'invalid') errors.push({ source: 'orders', message: `${this.o.paths.ordersState}: ${ord.reason}` });
    const cancelAll: DashboardView['safety']['cancel_all'] = [];
    const items: DashboardView['orders']['items'] = [];
    if (ord.kind === 'ok') {
      for (const mode of ['live', 'dry'] as const) {
        const m = ord.value.modes[mode];
        if (m.cancel_all) cancelAll.push({ mode, reason: m.cancel_all.reason, at_et: m.cancel_all.at_et });
        for (const x of Object.values(m.orders).sort((a, b) => b.submitted_ms - a.submitted_ms)) {
          items.push({ mode, client_order_id: x.client_order_id, market: x.market, side: x.side, price: x.price, size: x.size, filled: x.filled, status: x.status, submitted_et: x.submitted_et });
        }
      }
    }
    const maint = s?.maintenance ?? null;
    const safety: DashboardView['safety'] = {
      kill_switch:
        ks.kind === 'ok'
          ? { engaged: ks.value.engaged, armed_at: ks.value.armedAt ?? null, reason: ks.value.reason ?? null, path: ks.value.path, error: null }
          : { engaged: null, armed_at: null, reason: null, path: this.killSwitchFile, error: ks.reason },
      supervisor_saw_kill_switch: s ? s.kill_switch : null,
      maintenance: maint ? { start_et: formatEt(maint.start_ms), end_et: formatEt(maint.end_ms), active: refNow >= maint.start_ms && refNow < maint.end_ms } : null,
      cancel_all: cancelAll,
    };
    const orders: DashboardView['orders'] = {
      error: ord.kind === 'invalid' ? ord.reason : null,
      updated_et: ord.kind === 'ok' ? ord.value.updated_et : null,
      count: items.length,
      snapshot_count: s ? s.outstanding.count : null,
      items,
    };

    // Ledger, PnL, calibration.
    const sk = this.ledger.skipped();
    if (sk.count > 0) errors.push({ source: 'ledger', message: `${sk.count} invalid ledger line(s) skipped; last: line ${sk.last[sk.last.length - 1]!.line}: ${sk.last[sk.last.length - 1]!.reason}` });
    const ledger: DashboardView['ledger'] = {
      file: this.o.paths.ledger,
      exists: this.ledger.exists,
      records: this.ledger.recent().map(compactRecord),
      day_counts: agg ? { ...agg.counts } : { quote: 0, cancel: 0, paper_fill: 0, settlement: 0 },
      skipped: sk,
      partial_bytes: this.ledger.partialBytes,
      behind: this.ledger.behind,
    };
    const pnlSeries = agg ? agg.pnlSeries() : { points: [], totalUsd: 0 };
    const pnl: DashboardView['pnl'] = { day, points: pnlSeries.points, total_usd: pnlSeries.totalUsd };
    const cal = guard('scoreboard', () => agg?.calibration(), undefined);
    const reliability: DashboardView['reliability'] = {
      day,
      n: cal?.n ?? 0,
      brier: cal?.brier ?? null,
      log_loss: cal?.log_loss ?? null,
      bins: cal?.reliability ?? [],
    };

    // Incidents and monitors.
    guard('report', () => this.incidents.poll(), undefined);
    const fr = this.freshness.read();
    if (fr.kind === 'invalid') errors.push({ source: 'monitors', message: `freshness.json: ${fr.reason}` });
    const eg = this.evGap.read();
    if (eg.kind === 'invalid') errors.push({ source: 'monitors', message: `ev_gap.json: ${eg.reason}` });
    const monitors: DashboardView['monitors'] = {
      freshness:
        fr.kind === 'ok'
          ? { window: fr.value.window, generated_at: fr.value.generated_at, required_feeds_ok: fr.value.required_feeds_ok, alert: fr.value.alert.alert, consecutive_windows: fr.value.alert.consecutive_windows, active: fr.value.dual_feed.active }
          : null,
      ev_gap:
        eg.kind === 'ok'
          ? { window: eg.value.window, generated_at: eg.value.generated_at, max_abs_gap_cents: eg.value.window_gap.max_abs_gap_cents, mean_abs_gap_cents: eg.value.window_gap.mean_abs_gap_cents, markets: eg.value.window_gap.markets }
          : null,
    };

    return {
      meta: { generated_ms: wallNow, generated_et: formatEt(wallNow), home: this.o.paths.home, ...calendarNow(wallNow, this.o.calendar, this.windowsConfig) },
      supervisor,
      timeline,
      feeds,
      safety,
      orders,
      ledger,
      pnl,
      reliability,
      incidents: { total: this.incidents.total, by_kind: { ...this.incidents.byKind }, items: this.incidents.recent() },
      monitors,
      errors,
    };
  }

  private timeline(day: string, refNow: number, running: boolean, s: Snapshot | null, agg: DayAggregate | undefined): DashboardView['timeline'] {
    // Quotes, fills and PnL per window come from the ledger (live); the snapshot's counts are filled in
    // only when a window ends.
    const counted = (v: WindowView): WindowView => {
      const c = agg?.windows.get(v.label);
      if (c) {
        v.quotes = c.quotes;
        v.fills = c.fills;
        v.pnl_usd = c.pnlMicros / 1e6;
      }
      return v;
    };
    const session = this.o.calendar.session(day);
    const sessionText = session.status === 'closed' ? `closed${session.reason ? ` (${session.reason})` : ''}` : session.status === 'early_close' ? `early close ${session.closeEt}${session.reason ? ` (${session.reason})` : ''}` : 'regular';
    const base = { day, now_ms: refNow, now_et: formatEt(refNow), clock: running ? ('supervisor' as const) : ('dashboard' as const), session: sessionText };
    const fromSnap = s && s.day === day && s.windows_today.length > 0 ? s.windows_today : null;
    if (running && fromSnap) {
      return {
        ...base,
        source: 'snapshot',
        active_id: s!.active_window?.id ?? null,
        windows: fromSnap.map((w) => {
          const v = fromEntry(w);
          const c = counted(v);
          if (w.state === 'pending' && w.target_ms <= refNow) c.note = `passed, not run by this supervisor process${agg?.windows.has(w.label) ? ' (ledger: an earlier run)' : ''}`;
          return c;
        }),
      };
    }
    // Calendar: pending / done by time; a stopped supervisor's last known final states (and counts) kept.
    const known = new Map<string, WindowEntry>((fromSnap ?? []).map((w) => [w.id, w]));
    const windows = windowsForDay(day, this.o.calendar, this.windowsConfig).map((w): WindowView => {
      const byTime: WindowState = refNow >= w.targetMs ? 'done' : 'pending';
      const k = known.get(w.id);
      const v: WindowView = {
        ...windowTimes(w),
        start_et: etTimeOf(w.startMs),
        target_et: etTimeOf(w.targetMs),
        state: byTime,
        reasons: [],
        quotes: null,
        fills: null,
        pnl_usd: null,
        note: null,
      };
      if (k && k.state !== 'pending') {
        v.reasons = k.reasons;
        v.quotes = k.quotes;
        v.fills = k.fills;
        v.pnl_usd = k.pnl_usd;
        if (FINAL_STATES.has(k.state)) v.state = k.state;
        else v.note = `interrupted while ${k.state}`;
      }
      return counted(v);
    });
    return { ...base, source: 'calendar', active_id: null, windows };
  }
}

function fromEntry(w: WindowEntry): WindowView {
  return {
    id: w.id,
    label: w.label,
    series: w.series,
    start_ms: w.start_ms,
    strict_ms: w.strict_ms,
    freeze_ms: w.freeze_ms,
    target_ms: w.target_ms,
    start_et: etTimeOf(w.start_ms),
    target_et: etTimeOf(w.target_ms),
    state: w.state,
    reasons: w.reasons,
    quotes: w.quotes,
    fills: w.fills,
    pnl_usd: w.pnl_usd,
    note: null,
  };
}

function compactRecord(r: LedgerRecord): DashboardView['ledger']['records'][number] {
  let detail: string;
  switch (r.type) {
    case 'quote':
      detail = `EV ${r.ev_after_fees_cents.toFixed(2)}¢, p=${r.model_prob.toFixed(3)}`;
      break;
    case 'cancel':
      detail = `${r.reason}${r.filled > 0 ? `, filled ${r.filled}` : ''}`;
      break;
    case 'paper_fill':
      detail = `filled ${r.fill_size} @ ${r.fill_price.toFixed(4)}, fee $${r.fee.toFixed(4)} (${r.fill_cause})`;
      break;
    case 'settlement':
      detail = `result ${r.result}, settled ${r.settled_size}, PnL $${r.pnl.toFixed(4)}`;
      break;
  }
  const t = /T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)/.exec(r.timestamp_et);
  return {
    seq: r.seq,
    type: r.type,
    time_et: t ? t[1]! : r.timestamp_et,
    series: r.series,
    window: r.window,
    market: r.kalshi_market_id,
    side: r.side,
    price: r.price,
    size: r.size,
    detail,
  };
}
