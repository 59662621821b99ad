/**
 * The composition root of a trading day: one set of market adapters (one Kalshi websocket, one dual
 * index feed), one broker (dry or live), one ledger, one guard (kill switch, cancel-all, maintenance),
 * shared by every series of every window. `micro-index`, `supervisor-index` and replay are presets over
 * it; the caller owns the clock and the logger.
 */
import type { Broker, BrokerMode } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { noJournal, type QuoteJournal } from '../ports/trading.ts';
import type { SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import { quotePolicy } from '../core/quotes/select.ts';
import { DayRisk } from '../core/quoting/risk.ts';
import type { SeriesQuotingState } from '../core/quoting/state.ts';
import { DryBroker } from '../adapters/broker/dry-broker.ts';
import { LiveBroker } from '../adapters/broker/live-broker.ts';
import { selectBroker } from '../adapters/broker/select-broker.ts';
import { LedgerWriter } from '../adapters/ledger/ledger-writer.ts';
import { PaperLedgerRecorder, type LedgerSink } from '../adapters/ledger/paper-recorder.ts';
import { OrdersStore } from '../adapters/state/orders-store.ts';
import { appendIncident, type IncidentKind } from '../adapters/monitors/report.ts';
import type { IndexOpsConfig } from '../config/index-ops.ts';
import type { Paths } from '../config/paths.ts';
import { runSeriesWindow, type SeriesWindowResult } from '../engine/series-window.ts';
import type { MarketAdapters } from './market-adapters.ts';
import { FeeSource, ModelSource } from './pricing-sources.ts';
import { SessionGuard } from './session-guard.ts';
import { TrackedBroker } from './tracked-broker.ts';
import { onEmergency } from './last-resort.ts';
import { recoverDry, recoverLive, type RecoveryReport, type ResumePlan } from './recovery.ts';
import type { QueuePosition } from '../core/paper/exchange.ts';
import type { TimerHandle } from '../ports/clock.ts';

export interface SessionOptions {
  adapters: MarketAdapters;
  clock: Clock;
  log: Logger;
  paths: Paths;
  config: IndexOpsConfig;
  broker: BrokerMode;
  /** Raw KALSHI_LIVE_APPROVED (checked again here: the live broker is never built without it). */
  liveApproval: string | undefined;
  /** The kill-switch sentinel checked before every order; null = none (replay: no operator, no file I/O). */
  killSwitchFile: string | null;
  signal?: AbortSignal;
  /** Wait for results after each window's target and settle paper fills (default true). */
  settle?: boolean;
  settleTimeoutMs?: number;
  requoteIntervalMs?: number;
  /** Keep orders.json current and execute its cancel-all markers (default true; replay turns it off). */
  ordersFile?: boolean;
  /** Where ledger records go (default: the paper ledger file, fdatasync'd). */
  ledgerSink?: LedgerSink & { close?(): void };
  /** Append incidents to REPORT.md (default true). */
  report?: boolean;
  /** Called on every change of a window's quoting state (hot-restart snapshots). */
  onQuotingState?: (s: SeriesQuotingState) => void;
  /** What a fresh hot-restart snapshot lets this start resume (recovery runs either way). */
  resume?: ResumePlan;
}

export interface WindowRun {
  window: TradingWindow;
  results: SeriesWindowResult[];
}

/** Settlement wait after the target: the exchange determines index markets within about a minute. */
export const DEFAULT_SETTLE_TIMEOUT_MS = 10 * 60_000;

export class TradingSession {
  readonly broker: Broker;
  readonly guard: SessionGuard;
  readonly fees: FeeSource;
  readonly models: ModelSource;
  private readonly journal: QuoteJournal;
  private readonly ledger: (LedgerSink & { close?(): void }) | undefined;
  private readonly risks = new Map<string, DayRisk>();
  /** Real-time durations (ms) of the last ledger group commits. */
  private readonly ledgerWrites: number[] = [];
  private readonly disposers: (() => void)[] = [];
  private closed = false;
  private dry: DryBroker | undefined;
  private live: LiveBroker | undefined;
  private recorder: PaperLedgerRecorder | undefined;
  private ordersStore: OrdersStore | undefined;
  private settleTimer: TimerHandle | undefined;
  /** Markets with paper orders from before this start still waiting for their settlement (ticker → window target). */
  private readonly leftovers = new Map<string, number>();
  /** What the start-up recovery found and did. */
  recovery: RecoveryReport | undefined;
  /** Orders cancelled for the shutdown (by the windows as they stop, then by close()). */
  private shutdownCancels = 0;

  private constructor(private readonly o: SessionOptions) {
    const { adapters, clock, log, paths, config } = o;
    this.fees = new FeeSource(adapters.venue, paths.feesConfig, log.child({ component: 'fees' }));
    const spot = adapters.spot;
    this.models = new ModelSource({
      calibDir: paths.calibDir,
      eventsConfig: paths.eventsConfig,
      model: config.model,
      log,
      nowMs: () => clock.now(),
      ...(spot.history ? { history: (symbol, fromMs, toMs) => spot.history!(symbol, fromMs, toMs) } : {}),
      ...(adapters.events ? { events: adapters.events } : {}),
    });
    let journal: QuoteJournal = noJournal;
    let ledger: (LedgerSink & { close?(): void }) | undefined;
    const broker = selectBroker({
      requested: o.broker,
      liveApproval: o.liveApproval,
      makeDry: () => {
        const dry = new DryBroker({ clock, fee: this.fees.makerFee });
        ledger = timed(o.ledgerSink ?? LedgerWriter.open(paths.ledger, { archiveDir: paths.ledgerArchiveDir }), this.ledgerWrites);
        const recorder = new PaperLedgerRecorder(ledger, () => adapters.feedSnapshot());
        this.recorder = recorder;
        this.dry = dry;
        this.disposers.push(dry.onEvents((events) => recorder.record(events)));
        // The paper exchange watches the market itself: every book, trade and result of the stream.
        this.disposers.push(adapters.stream.on((e) => dry.onStreamEvent(e)));
        journal = recorder;
        return dry;
      },
      makeLive: () => {
        if (!adapters.kalshi?.signer) throw new Error('--broker live needs KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM_PATH');
        const live = new LiveBroker({ rest: adapters.kalshi.rest, clock, stream: adapters.stream, logger: log.child({ component: 'live-broker' }) });
        this.live = live;
        this.disposers.push(() => live.dispose());
        return live;
      },
    });
    this.journal = journal;
    this.ledger = ledger;
    const orders = o.ordersFile === false ? undefined : new OrdersStore(paths.ordersState, clock, { onCorrupt: (r) => log.error({ file: r.file, set_aside: r.setAsidePath, reason: r.reason }, 'orders.json was corrupt: set aside') });
    this.ordersStore = orders;
    const tracked = orders ? new TrackedBroker(broker, orders, log.child({ component: 'orders' }), () => clock.now()) : undefined;
    if (tracked) this.disposers.push(() => tracked.dispose());
    this.broker = tracked ?? broker;
    this.guard = new SessionGuard({
      clock,
      broker: this.broker,
      mode: broker.mode,
      killSwitchFile: o.killSwitchFile,
      orders,
      venue: adapters.source === 'offline' ? undefined : adapters.venue,
      clockDrift: () => {
        const dual = adapters.feeds?.dual;
        if (!dual || dual.active === 'stand_down') return null;
        return dual.freshness(dual.active).lagMs();
      },
      maxClockDriftMs: config.preflight.max_clock_drift_ms,
      ledger: this.recorder ? { unwritten: () => this.recorder!.unwritten, retry: () => void this.recorder!.flush() } : undefined,
      log: log.child({ component: 'guard' }),
      onIncident: (kind, text) => this.incident(kind, text),
    });
  }

  static async open(o: SessionOptions): Promise<TradingSession> {
    const s = new TradingSession(o);
    s.disposers.push(
      s.broker.onEvent((e) => {
        if (e.type === 'cancelled' && e.reason === 'shutdown') s.shutdownCancels++;
      }),
    );
    // If the process dies of a bug, whatever rests is cancelled first (bounded; see last-resort.ts).
    s.disposers.push(onEmergency((reason) => s.broker.cancelAll(reason)));
    await s.recover();
    await s.guard.start();
    if (s.broker instanceof TrackedBroker) await s.broker.syncOpenOrders();
    return s;
  }

  /** The one start-up path (recovery.ts): rebuild, adopt what the resumed window holds, close out the rest. */
  private async recover(): Promise<void> {
    const { o } = this;
    const cancel = async (id: string, reason: string) => this.broker.cancel(id, reason);
    const log = o.log.child({ component: 'recovery' });
    if (this.dry && this.recorder && o.ledgerSink === undefined) {
      this.recovery = await recoverDry({ dry: this.dry, recorder: this.recorder, ledgerFile: o.paths.ledger, resume: o.resume, cancel, log });
      for (const [t, target] of this.recovery.awaitingSettlement) this.leftovers.set(t, target);
      this.armLeftoverSettlement(0);
    } else if (this.live) {
      const known = new Set((this.ordersStore?.read().state.modes.live.orders ?? []).map((x) => x.clientOrderId));
      this.recovery = await recoverLive({ live: this.live, resume: o.resume, cancel, knownIds: known, log });
    }
    const r = this.recovery;
    if (r && (r.adopted.length || r.cancelled.length || r.orphans.length || r.awaitingSettlement.size)) {
      log.info(
        { mode: r.mode, adopted: r.adopted.length, cancelled: r.cancelled.length, orphans: r.orphans.length, awaiting_settlement: r.awaitingSettlement.size, resumed: o.resume?.windowId ?? null },
        'recovered state from before this start',
      );
      if (r.orphans.length) this.incident('error', `${r.orphans.length} orphan order(s) at the exchange cancelled at start-up`);
    }
  }

  /** Settles leftover paper orders (from before this start) once their markets' results are known. */
  private armLeftoverSettlement(delayMs: number): void {
    if (this.closed || this.leftovers.size === 0 || !this.dry) return;
    this.settleTimer = this.o.clock.setTimeout(() => void this.settleLeftovers(), delayMs);
  }

  private async settleLeftovers(): Promise<void> {
    const now = this.o.clock.now();
    for (const [ticker, target] of [...this.leftovers]) {
      if (now < target) continue;
      const m = await this.o.adapters.venue.getMarket(ticker).catch(() => undefined);
      if (this.closed) return;
      if (m?.result) {
        this.broker.marketResult(ticker, m.result);
        this.leftovers.delete(ticker);
      }
    }
    this.armLeftoverSettlement(15_000);
  }

  /** Paper queue positions of resting orders (dry), for the snapshot. */
  paperQueue(): Record<string, QueuePosition> {
    return this.dry?.queuePositions() ?? {};
  }

  get mode(): BrokerMode {
    return this.broker.mode;
  }

  /** The day's loss accounting (one per ET date, shared by every window and series of that day). */
  dayRisk(dateEt: string): DayRisk {
    let r = this.risks.get(dateEt);
    if (!r) this.risks.set(dateEt, (r = new DayRisk(dateEt, this.o.config.risk.daily_loss_cap_usd)));
    return r;
  }

  /**
   * Runs every given series of one window concurrently; each series' failure stays its own. `restored`
   * quoting states (a hot restart of this very window) continue where the killed process left off.
   */
  async runWindow(window: TradingWindow, series: readonly SeriesCode[], restored: readonly SeriesQuotingState[] = []): Promise<WindowRun> {
    const { o } = this;
    const policy = quotePolicy(o.config);
    const risk = this.dayRisk(window.dateEt);
    const results = await Promise.all(
      series.map((s) =>
        runSeriesWindow(
          window,
          s,
          {
            clock: o.clock,
            venue: o.adapters.venue,
            stream: o.adapters.stream,
            spot: o.adapters.spot,
            broker: this.broker,
            journal: this.journal,
            gate: this.guard,
            fees: (event) => this.fees.forEvent(event),
            model: this.models.forEvent,
            policy,
            risk,
            log: o.log,
            signal: o.signal,
            onStateChange: o.onQuotingState,
            restored: restored.find((x) => x.windowId === window.id && x.series === s),
          },
          {
            requoteIntervalMs: o.requoteIntervalMs,
            settleTimeoutMs: o.settle === false ? 0 : (o.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS),
          },
        ),
      ),
    );
    // Finished windows with nothing open leave the per-cycle budget scans (their PnL stays in the day).
    risk.retireDone();
    return { window, results };
  }

  /** Median of the last ledger group commits (real ms), or null before the first. */
  ledgerWriteMs(): number | null {
    if (this.ledgerWrites.length === 0) return null;
    const sorted = [...this.ledgerWrites].sort((a, b) => a - b);
    return Math.round(sorted[sorted.length >> 1]! * 1000) / 1000;
  }

  /** Appends a timestamped incident to REPORT.md (and never fails the caller). */
  incident(kind: IncidentKind, text: string): void {
    if (this.o.report === false) return;
    try {
      appendIncident(this.o.paths.reportMd, this.o.clock.now(), kind, text);
    } catch (e) {
      this.o.log.error({ err: e }, 'REPORT.md not updated');
    }
  }

  /**
   * Cancels everything still resting (reason recorded in the ledger), stops the guard, closes the ledger and
   * adapters. Returns the orders cancelled (for `shutdown`: also those the windows cancelled as they stopped).
   */
  async close(reason = 'shutdown'): Promise<number> {
    if (this.closed) return 0;
    this.closed = true;
    this.guard.stop();
    if (this.settleTimer) this.o.clock.clearTimeout(this.settleTimer);
    let cancelled = 0;
    try {
      cancelled = await this.broker.cancelAll(reason);
    } catch (e) {
      this.o.log.error({ err: e, reason }, 'cancel-all on close failed');
    }
    const windowsCancelled = reason === 'shutdown' ? this.shutdownCancels : 0;
    for (const d of this.disposers.splice(0).reverse()) d();
    this.ledger?.close?.();
    await this.o.adapters.close();
    return reason === 'shutdown' ? windowsCancelled : cancelled;
  }
}

/** The ledger sink, timing each group commit in real time (the snapshot's ledger_write_ms). */
function timed(sink: LedgerSink & { close?(): void }, into: number[]): LedgerSink & { close?(): void } {
  return {
    appendBatch(inputs) {
      const t0 = performance.now();
      try {
        return sink.appendBatch(inputs);
      } finally {
        into.push(performance.now() - t0);
        if (into.length > 100) into.shift();
      }
    },
    close: () => sink.close?.(),
  };
}
