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
import { MAINTENANCE_LEAD_MS, maintenanceCovering, standingMaintenance } from '../core/maintenance.ts';
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
  private readonly o: Required<Pick<SessionGuardOptions, 'leadMs' | 'pollMs' | 'scheduleRefreshMs'>> & SessionGuardOptions;

  constructor(o: SessionGuardOptions) {
    this.o = { leadMs: MAINTENANCE_LEAD_MS, pollMs: 1000, scheduleRefreshMs: 10 * 60_000, ...o };
  }

  blocked(nowMs: number): { reason: string } | undefined {
    if (this.o.killSwitchFile !== null && fs.existsSync(this.o.killSwitchFile)) return { reason: 'kill_switch' };
    if (this.pendingMarker !== undefined) return { reason: `cancel_all:${this.pendingMarker}` };
    const m = this.maintenanceAt(nowMs);
    if (m) return { reason: 'maintenance' };
    return undefined;
  }

  /** The maintenance slot that blocks quoting at `nowMs` (lead time included), if any. */
  maintenanceAt(nowMs: number): MaintenanceWindow | undefined {
    return maintenanceCovering(this.announced, nowMs, this.o.leadMs);
  }

  /** When the lead time of the next maintenance slot starts (after `nowMs`), if one is known. */
  private nextBlockAt(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const w of [...this.announced, ...standingMaintenance(nowMs)]) {
      const t = w.startMs - this.o.leadMs;
      if (t > nowMs && (next === undefined || t < next)) next = t;
    }
    return next;
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
      this.checkMaintenance(now);
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
