/**
 * Outstanding-orders state, `data/proc/state/orders.json` (SPEC §7.2, §7.3).
 *
 * Per mode (`dry` | `live`): the orders still working at the venue, by `client_order_id` (market, side,
 * price, size, filled, status, submitted time), and a pending cancel-all marker (reason + time) that an
 * operator or the supervisor sets with `markCancelAll` and the supervisor clears (`clearCancelAll`) once
 * it has cancelled. Terminal orders (cancelled, executed, rejected) leave the file.
 *
 * File format (version 1): orders-file.ts, the schema every reader imports — money in dollars as JSON
 * numbers (≤ 4 decimals), counts in contracts (≤ 2 decimals), instants as epoch ms plus an ET rendering.
 *
 * Safety:
 * - Every change is read-modify-write under the advisory lock `orders.json.lock` (`FileLock`, the lock the
 *   ledger and housekeeping share: created whole by one link(2), naming its owner; a dead owner's lock is
 *   broken), so a CLI `cancel-all` and the supervisor never lose each other's updates. Writes are atomic
 *   (temp file, fsync, rename).
 * - A corrupt file (bad JSON or schema) is reported and set aside as `orders.json.corrupt-<epoch ms>`,
 *   never silently replaced by an empty one: the caller gets a `CorruptStateReport` and decides (the
 *   supervisor reconciles with the broker; the CLI reports it and exits 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../ports/clock.ts';
import type { BrokerMode, OrderIntent, OrderState } from '../../ports/broker.ts';
import { formatEt } from '../../core/time/et.ts';
import { writeJsonAtomic } from '../fs/atomic-write.ts';
import { FileLock, LedgerLockTimeout } from '../fs/file-lock.ts';
import { OrdersFileSchema, type OrdersFile } from './orders-file.ts';
import type { CentiContracts, Pips } from '../../core/units.ts';

export const BROKER_MODES = ['dry', 'live'] as const satisfies readonly BrokerMode[];
/** `pending`: submitted, not yet acknowledged; `cancel_pending`: cancel sent, not yet confirmed. */
export type OutstandingStatus = 'pending' | 'resting' | 'cancel_pending';

export interface OutstandingOrder {
  clientOrderId: string;
  orderId?: string;
  marketTicker: string;
  side: 'buy' | 'sell';
  price: Pips;
  size: CentiContracts;
  filled: CentiContracts;
  status: OutstandingStatus;
  submittedMs: number;
  updatedMs: number;
}

export interface CancelAllMarker {
  reason: string;
  atMs: number;
}

export interface ModeOrders {
  orders: OutstandingOrder[];
  cancelAll: CancelAllMarker | null;
}

export interface OrdersState {
  updatedMs: number | null;
  modes: Record<BrokerMode, ModeOrders>;
}

export interface CorruptStateReport {
  file: string;
  setAsidePath: string;
  reason: string;
}

export class StateLockError extends Error {
  override name = 'StateLockError';
}

export const emptyOrdersState = (): OrdersState => ({
  updatedMs: null,
  modes: { dry: { orders: [], cancelAll: null }, live: { orders: [], cancelAll: null } },
});

function fromFile(doc: OrdersFile): OrdersState {
  const mode = (m: OrdersFile['modes']['dry']): ModeOrders => ({
    orders: Object.values(m.orders).map((o) => ({
      clientOrderId: o.client_order_id,
      ...(o.order_id !== undefined ? { orderId: o.order_id } : {}),
      marketTicker: o.market,
      side: o.side,
      price: Math.round(o.price * 1e4),
      size: Math.round(o.size * 100),
      filled: Math.round(o.filled * 100),
      status: o.status,
      submittedMs: o.submitted_ms,
      updatedMs: o.updated_ms,
    })),
    cancelAll: m.cancel_all ? { reason: m.cancel_all.reason, atMs: m.cancel_all.at_ms } : null,
  });
  return { updatedMs: doc.updated_ms, modes: { dry: mode(doc.modes.dry), live: mode(doc.modes.live) } };
}

function toFile(s: OrdersState): OrdersFile {
  const mode = (m: ModeOrders): OrdersFile['modes']['dry'] => ({
    orders: Object.fromEntries(
      [...m.orders]
        .sort((a, b) => a.submittedMs - b.submittedMs || a.clientOrderId.localeCompare(b.clientOrderId))
        .map((o) => [
          o.clientOrderId,
          {
            client_order_id: o.clientOrderId,
            ...(o.orderId !== undefined ? { order_id: o.orderId } : {}),
            market: o.marketTicker,
            side: o.side,
            price: o.price / 1e4,
            size: o.size / 100,
            filled: o.filled / 100,
            status: o.status,
            submitted_ms: o.submittedMs,
            submitted_et: formatEt(o.submittedMs),
            updated_ms: o.updatedMs,
          },
        ]),
    ),
    cancel_all: m.cancelAll ? { reason: m.cancelAll.reason, at_ms: m.cancelAll.atMs, at_et: formatEt(m.cancelAll.atMs) } : null,
  });
  return {
    version: 1,
    updated_ms: s.updatedMs,
    updated_et: s.updatedMs === null ? null : formatEt(s.updatedMs),
    modes: { dry: mode(s.modes.dry), live: mode(s.modes.live) },
  };
}

// ---- the store ----

export interface OrdersStoreOptions {
  /** Called whenever a corrupt file is set aside (also returned by `read`/`update`). */
  onCorrupt?: (report: CorruptStateReport) => void;
  /** How long to wait for the lock, in units of 10 ms (default 300 ≈ 3 s); then StateLockError. */
  lockAttempts?: number;
}

export class OrdersStore {
  readonly lockFile: string;
  private readonly lock: FileLock;

  constructor(
    readonly file: string,
    private readonly clock: Clock,
    private readonly options: OrdersStoreOptions = {},
  ) {
    this.lockFile = `${file}.lock`;
    // Waits are short sleeps between attempts; `lockAttempts` keeps its meaning of 10 ms apiece.
    this.lock = new FileLock(this.lockFile, { waitMs: (options.lockAttempts ?? 300) * 10 });
  }

  /** The current state; a corrupt file is set aside and reported (state then starts empty). */
  read(): { state: OrdersState; corrupt?: CorruptStateReport } {
    return this.withLock(() => this.load());
  }

  /** Locked read-modify-write; `change` mutates the state in place. */
  update(change: (s: OrdersState) => void): { state: OrdersState; corrupt?: CorruptStateReport } {
    return this.withLock(() => {
      const loaded = this.load();
      change(loaded.state);
      loaded.state.updatedMs = this.clock.now();
      writeJsonAtomic(this.file, toFile(loaded.state));
      return loaded;
    });
  }

  /** An order was sent (not yet acknowledged). */
  recordSubmitted(mode: BrokerMode, intent: OrderIntent) {
    return this.apply(mode, { kind: 'submitted', intent, atMs: this.clock.now() });
  }

  /** The broker's view of one order: resting orders are kept (updated), terminal ones removed. */
  recordState(mode: BrokerMode, order: OrderState) {
    return this.apply(mode, { kind: 'state', order });
  }

  /** A cancel was sent for this order and is not yet confirmed. */
  recordCancelPending(mode: BrokerMode, clientOrderId: string) {
    return this.apply(mode, { kind: 'cancel_pending', clientOrderId, atMs: this.clock.now() });
  }

  /** Several changes in one locked rewrite, in order. */
  applyAll(mode: BrokerMode, changes: readonly OrderChange[]) {
    return this.update((s) => {
      for (const ch of changes) applyOrderChange(s.modes[mode], ch);
    });
  }

  private apply(mode: BrokerMode, ch: OrderChange) {
    return this.applyAll(mode, [ch]);
  }

  /** Replaces a mode's outstanding orders with the broker's list (reconcile after a restart). */
  replaceOutstanding(mode: BrokerMode, orders: OrderState[]) {
    return this.update((s) => {
      s.modes[mode].orders = [];
      for (const o of orders) upsert(s.modes[mode], o);
    });
  }

  /** Records a pending cancel-all (reason + time) for one mode or both; the supervisor executes and clears it. */
  markCancelAll(mode: BrokerMode | 'all', reason: string, atMs: number = this.clock.now()) {
    if (!reason.trim()) throw new Error('cancel-all needs a reason');
    return this.update((s) => {
      for (const m of modesOf(mode)) s.modes[m].cancelAll = { reason, atMs };
    });
  }

  clearCancelAll(mode: BrokerMode | 'all') {
    return this.update((s) => {
      for (const m of modesOf(mode)) s.modes[m].cancelAll = null;
    });
  }

  // ---- internals ----

  private load(): { state: OrdersState; corrupt?: CorruptStateReport } {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyOrdersState() };
      throw e;
    }
    let reason: string;
    try {
      const r = OrdersFileSchema.safeParse(JSON.parse(text));
      if (r.success) return { state: fromFile(r.data) };
      const issue = r.error.issues[0]!;
      reason = `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    } catch (e) {
      reason = (e as Error).message;
    }
    const setAsidePath = `${this.file}.corrupt-${this.clock.now()}`;
    fs.renameSync(this.file, setAsidePath);
    const corrupt: CorruptStateReport = { file: this.file, setAsidePath, reason };
    this.options.onCorrupt?.(corrupt);
    return { state: emptyOrdersState(), corrupt };
  }

  private withLock<T>(fn: () => T): T {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    try {
      this.lock.acquire();
    } catch (e) {
      if (e instanceof LedgerLockTimeout) throw new StateLockError(`${this.lockFile} is held by another process (${e.message})`);
      throw e;
    }
    try {
      return fn();
    } finally {
      this.lock.release();
    }
  }
}

const modesOf = (mode: BrokerMode | 'all'): BrokerMode[] => (mode === 'all' ? [...BROKER_MODES] : [mode]);

/** One change to a mode's outstanding orders (see the OrdersStore methods of the same names). */
export type OrderChange =
  | { kind: 'submitted'; intent: OrderIntent; atMs: number }
  | { kind: 'state'; order: OrderState }
  | { kind: 'cancel_pending'; clientOrderId: string; atMs: number };

export function applyOrderChange(m: ModeOrders, ch: OrderChange): void {
  switch (ch.kind) {
    case 'submitted': {
      if (m.orders.some((o) => o.clientOrderId === ch.intent.clientOrderId)) return;
      const i = ch.intent;
      m.orders.push({ clientOrderId: i.clientOrderId, marketTicker: i.marketTicker, side: i.side, price: i.price, size: i.size, filled: 0, status: 'pending', submittedMs: ch.atMs, updatedMs: ch.atMs });
      return;
    }
    case 'cancel_pending': {
      const o = m.orders.find((x) => x.clientOrderId === ch.clientOrderId);
      if (o) {
        o.status = 'cancel_pending';
        o.updatedMs = ch.atMs;
      }
      return;
    }
    case 'state':
      upsert(m, ch.order);
  }
}

function upsert(m: ModeOrders, order: OrderState): void {
  const i = m.orders.findIndex((o) => o.clientOrderId === order.clientOrderId);
  if (order.status !== 'resting') {
    if (i >= 0) m.orders.splice(i, 1);
    return;
  }
  const entry: OutstandingOrder = {
    clientOrderId: order.clientOrderId,
    ...(order.orderId !== undefined ? { orderId: order.orderId } : {}),
    marketTicker: order.marketTicker,
    side: order.side,
    price: order.price,
    size: order.size,
    filled: order.filled,
    status: 'resting',
    submittedMs: order.submittedMs,
    updatedMs: order.updatedMs,
  };
  if (i >= 0) m.orders[i] = entry;
  else m.orders.push(entry);
}

// ---- summary (CLI, monitors, hot-restart snapshot) ----

export interface ModeSummary {
  mode: BrokerMode;
  outstanding: number;
  byStatus: Record<OutstandingStatus, number>;
  contracts: number;
  cancelAll: CancelAllMarker | null;
  orders: OutstandingOrder[];
}

export function summarizeOrders(state: OrdersState, modes: readonly BrokerMode[] = BROKER_MODES): ModeSummary[] {
  return modes.map((mode) => {
    const m = state.modes[mode];
    const byStatus: Record<OutstandingStatus, number> = { pending: 0, resting: 0, cancel_pending: 0 };
    let centi = 0;
    for (const o of m.orders) {
      byStatus[o.status]++;
      centi += o.size - o.filled;
    }
    return { mode, outstanding: m.orders.length, byStatus, contracts: centi / 100, cancelAll: m.cancelAll, orders: [...m.orders] };
  });
}

/**
 * An outstanding entry as the broker port's OrderState (e.g. to `DryBroker.adopt` after a restart).
 * `pending` and `cancel_pending` entries come back as `resting`: the broker reconcile decides their fate.
 */
export function outstandingToOrderState(o: OutstandingOrder): OrderState {
  return {
    clientOrderId: o.clientOrderId,
    ...(o.orderId !== undefined ? { orderId: o.orderId } : {}),
    marketTicker: o.marketTicker,
    side: o.side,
    price: o.price,
    size: o.size,
    filled: o.filled,
    status: 'resting',
    submittedMs: o.submittedMs,
    updatedMs: o.updatedMs,
  };
}
