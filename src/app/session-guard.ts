/**
 * The session's guard (SPEC §6.5, §7.3): the TradingGate every window asks before every order, and a
 * watcher that acts within one second of the clock:
 * - kill switch (sentinel file): checked on every `blocked()` call; when it appears, cancel all at once;
 * - cancel-all marker in `orders.json` (written by `orders cancel-all` from another shell, or by this
 *   guard before maintenance): executed — every resting order cancelled — then cleared; quoting is
 *   blocked while a marker is pending;
 * - exchange maintenance (the announced schedule plus the standing Thursday 03:00–05:00 ET pause):
 *   from `leadMs` (5 min) before a slot until its end, mark cancel-all `kalshi_maintenance`, cancel and
 *   quote nothing.
 * Incidents go to REPORT.md through `onIncident`.
 */
import fs from 'node:fs';
import type { Broker, BrokerMode } from '../ports/broker.ts';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { TradingGate } from '../ports/trading.ts';
import type { MaintenanceWindow, VenueMarketData } from '../ports/venue.ts';
import { formatEt } from '../core/time/et.ts';
import { MAINTENANCE_LEAD_MS, maintenanceCovering, nextMaintenanceLeadAt } from '../core/maintenance.ts';
import type { OrdersStore } from '../adapters/state/orders-store.ts';
import type { IncidentKind } from '../adapters/monitors/report.ts';

export const MAINTENANCE_REASON = 'kalshi_maintenance';

export interface SessionGuardOptions {
  clock: Clock;
  broker: Broker;
  mode: BrokerMode;
  /** The kill-switch sentinel; null = no operator can arm one (replay: no file I/O before each order). */
  killSwitchFile: string | null;
  /** orders.json (absent in replay: no other process can write a marker there). */
  orders?: OrdersStore;
  /** Where the exchange schedule comes from (absent offline: only the standing pause applies). */
  venue?: VenueMarketData;
  log: Logger;
  onIncident?: (kind: IncidentKind, text: string) => void;
  /** Mark cancel-all this long before a maintenance slot (default 5 min). */
  leadMs?: number;
  /** Watcher period (default 1000 ms of the clock). */
  pollMs?: number;
  /** Exchange schedule refresh period (default 10 min). */
  scheduleRefreshMs?: number;
  /** Exchange status poll period while running (default 10 s; needs `venue`). */
  statusPollMs?: number;
  /** The local clock's offset from the outside world now, ms (e.g. the index feed's message lag), if known. */
  clockDrift?: () => number | null;
  /** `preflight.max_clock_drift_ms` (default 1000). */
  maxClockDriftMs?: number;
  /** The ledger's health: records it could not write (0 = healthy), and a retry of them. */
  ledger?: { unwritten(): number; retry(): void };
}

export class SessionGuard implements TradingGate {
  private timer: TimerHandle | undefined;
  private running = false;
  private ticking = false;
  private announced: MaintenanceWindow[] = [];
  private scheduleFetchedAt = Number.NEGATIVE_INFINITY;
  private pendingMarker: string | undefined;
  private killHandled = false;
  private readonly markedSlots = new Set<number>();
  private exchangeInactive = false;
  private statusCheckedAt = Number.NEGATIVE_INFINITY;
  private driftStreak = 0;
  private okStreak = 0;
  private driftBlocked = false;
  private ledgerBlocked = false;
  private readonly o: Required<Pick<SessionGuardOptions, 'leadMs' | 'pollMs' | 'scheduleRefreshMs' | 'statusPollMs' | 'maxClockDriftMs'>> & SessionGuardOptions;

  constructor(o: SessionGuardOptions) {
    this.o = { leadMs: MAINTENANCE_LEAD_MS, pollMs: 1000, scheduleRefreshMs: 10 * 60_000, statusPollMs: 10_000, maxClockDriftMs: 1000, ...o };
  }

  blocked(nowMs: number): { reason: string } | undefined {
    if (this.o.killSwitchFile !== null && fs.existsSync(this.o.killSwitchFile)) return { reason: 'kill_switch' };
    if (this.pendingMarker !== undefined) return { reason: `cancel_all:${this.pendingMarker}` };
    if (this.ledgerBlocked || (this.o.ledger?.unwritten() ?? 0) > 0) return { reason: 'ledger_unwritable' };
    const m = this.maintenanceAt(nowMs);
    if (m) return { reason: MAINTENANCE_REASON }; // the SPEC's reason, whichever withdraws first: this window's cycle or the guard's cancel-all
    if (this.exchangeInactive) return { reason: 'exchange_inactive' };
    if (this.driftBlocked) return { reason: 'clock_drift' };
    return undefined;
  }

  /** The maintenance slot that blocks quoting at `nowMs` (lead time included), if any. */
  maintenanceAt(nowMs: number): MaintenanceWindow | undefined {
    return maintenanceCovering(this.announced, nowMs, this.o.leadMs);
  }

  /** When the lead time of the next maintenance slot starts (after `nowMs`), if one is known. */
  private nextBlockAt(nowMs: number): number | undefined {
    return nextMaintenanceLeadAt(this.announced, nowMs, this.o.leadMs);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass of the watcher (also callable directly by tests). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.o.clock.now();
      await this.refreshSchedule(now);
      await this.checkKillSwitch();
      this.checkLedger();
      this.checkMaintenance(now);
      await this.checkExchangeStatus(now);
      this.checkClockDrift();
      await this.executeMarker();
    } catch (e) {
      this.o.log.error({ err: e }, 'guard check failed');
    } finally {
      this.ticking = false;
      if (this.running) {
        if (this.timer) this.o.clock.clearTimeout(this.timer);
        // Wake exactly when the next maintenance lead time begins, not up to a period later.
        const now = this.o.clock.now();
        const nextBlock = this.nextBlockAt(now);
        const wait = nextBlock !== undefined ? Math.min(this.o.pollMs, Math.max(0, nextBlock - now)) : this.o.pollMs;
        this.timer = this.o.clock.setTimeout(() => void this.tick(), wait);
      }
    }
  }

  private async refreshSchedule(now: number): Promise<void> {
    if (!this.o.venue || now - this.scheduleFetchedAt < this.o.scheduleRefreshMs) return;
    this.scheduleFetchedAt = now;
    try {
      this.announced = (await this.o.venue.exchangeSchedule()).maintenanceWindows;
    } catch (e) {
      this.o.log.warn({ err: e }, 'exchange schedule unavailable; keeping the last known maintenance windows');
    }
  }

  /** The ledger refused writes: block (windows cancel) and retry the unwritten records every tick. */
  private checkLedger(): void {
    const l = this.o.ledger;
    if (!l) return;
    if (l.unwritten() > 0) {
      if (!this.ledgerBlocked) {
        this.ledgerBlocked = true;
        this.o.log.error({ unwritten: l.unwritten() }, 'paper ledger not writable: quoting stopped, cancelling; retrying every second');
        this.o.onIncident?.('ledger_error', `paper ledger not writable (${l.unwritten()} records waiting): quoting stopped`);
      }
      try {
        l.retry();
      } catch {
        // still failing: stay blocked, try again next tick
      }
    }
    if (this.ledgerBlocked && l.unwritten() === 0) {
      this.ledgerBlocked = false;
      this.o.log.info('paper ledger writable again: every waiting record written; quoting may resume');
    }
  }

  private async checkExchangeStatus(now: number): Promise<void> {
    if (!this.o.venue || now - this.statusCheckedAt < this.o.statusPollMs) return;
    this.statusCheckedAt = now;
    let inactive: boolean;
    try {
      const st = await this.o.venue.exchangeStatus();
      inactive = !st.exchangeActive || !st.tradingActive;
    } catch {
      return; // unreachable: the last known state stands (the REST client logged the failure)
    }
    if (inactive && !this.exchangeInactive) {
      this.o.log.warn('exchange inactive: cancelling, no quotes until trading resumes');
      this.o.onIncident?.('error', 'exchange inactive mid-session: cancel all, no quotes until it resumes');
      await this.o.broker.cancelAll('exchange_inactive');
    } else if (!inactive && this.exchangeInactive) this.o.log.info('exchange active again: quoting may resume');
    this.exchangeInactive = inactive;
  }

  /** Three checks in a row beyond the limit block; three within it unblock (one laggy message is not drift). */
  private checkClockDrift(): void {
    const d = this.o.clockDrift?.();
    if (d === null || d === undefined) return;
    const off = Math.abs(d) > this.o.maxClockDriftMs;
    this.driftStreak = off ? this.driftStreak + 1 : 0;
    this.okStreak = off ? 0 : this.okStreak + 1;
    if (!this.driftBlocked && this.driftStreak >= 3) {
      this.driftBlocked = true;
      this.o.log.error({ drift_ms: Math.round(d), max_ms: this.o.maxClockDriftMs }, 'clock_drift: the local clock disagrees with the feed; no quotes');
      this.o.onIncident?.('error', `clock_drift:${Math.round(d)} ms against the index feed's message times: quoting stopped`);
    } else if (this.driftBlocked && this.okStreak >= 3) {
      this.driftBlocked = false;
      this.o.log.info({ drift_ms: Math.round(d) }, 'clock agrees with the feed again: quoting may resume');
    }
  }

  private async checkKillSwitch(): Promise<void> {
    const engaged = this.o.killSwitchFile !== null && fs.existsSync(this.o.killSwitchFile);
    if (engaged && !this.killHandled) {
      this.killHandled = true;
      const n = await this.o.broker.cancelAll('kill_switch');
      this.o.log.warn({ cancelled: n, file: this.o.killSwitchFile }, 'kill switch engaged: all orders cancelled, quoting stopped');
      this.o.onIncident?.('kill_switch', `kill switch engaged (${this.o.killSwitchFile}); ${n} orders cancelled`);
    } else if (!engaged && this.killHandled) {
      this.killHandled = false;
      this.o.log.info('kill switch disarmed: quoting may resume');
    }
  }

  private checkMaintenance(now: number): void {
    const w = this.maintenanceAt(now);
    if (!w || this.markedSlots.has(w.startMs)) return;
    this.markedSlots.add(w.startMs);
    const text = `maintenance ${formatEt(w.startMs)} → ${formatEt(w.endMs)}: cancel-all and no quotes until it ends`;
    this.o.log.warn({ start: formatEt(w.startMs), end: formatEt(w.endMs) }, 'exchange maintenance approaching: cancelling all');
    this.o.onIncident?.('maintenance', text);
    if (this.o.orders) this.o.orders.markCancelAll(this.o.mode, MAINTENANCE_REASON, now);
    else this.pendingMarker = MAINTENANCE_REASON;
  }

  /** Executes a pending cancel-all marker for this mode, then clears it. */
  private async executeMarker(): Promise<void> {
    let reason = this.pendingMarker;
    if (this.o.orders) reason = this.o.orders.read().state.modes[this.o.mode].cancelAll?.reason;
    if (reason === undefined) {
      this.pendingMarker = undefined;
      return;
    }
    this.pendingMarker = reason;
    const n = await this.o.broker.cancelAll(reason);
    this.o.orders?.clearCancelAll(this.o.mode);
    this.pendingMarker = undefined;
    this.o.log.warn({ reason, cancelled: n }, 'cancel-all executed and cleared');
    if (reason !== MAINTENANCE_REASON) this.o.onIncident?.('cancel_all', `cancel-all (${reason}) executed: ${n} orders cancelled`);
  }
}
