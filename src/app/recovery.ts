/**
 * Crash-only start (SPEC §6.6, NautilusTrader's rule): every start — first of the day or after a kill -9 —
 * takes this one path before quoting. It rebuilds what the broker has from the durable truth, adopts what
 * belongs to the window being resumed, and closes out everything else:
 * - dry: the paper orders the ledger proves (recover.ts) are re-rested with their fills, fees and — from
 *   a fresh snapshot — their queue positions; the ledger recorder gets their contexts back; resting orders
 *   of any other window are cancelled (`restart`); unsettled ones are settled when their results are known.
 * - live: our resting orders at the exchange (by client_order_id prefix) are adopted when they belong to the
 *   resumed window's quoting state, else cancelled and reported as orphans; orders the state still counts as
 *   live but the exchange no longer has are looked up (never re-sent) by the engine when the window starts.
 */
import type { Logger } from '../ports/logger.ts';
import type { BrokerMode } from '../ports/broker.ts';
import type { QueuePosition } from '../core/paper/exchange.ts';
import { recoverPaperOrders } from '../core/ledger/recover.ts';
import { liveOrders, type SeriesQuotingState } from '../core/quoting/state.ts';
import { CLIENT_ORDER_ID_PREFIX } from '../core/quotes/client-order-id.ts';
import { etToMs } from '../core/time/et.ts';
import type { DryBroker } from '../adapters/broker/dry-broker.ts';
import type { LiveBroker } from '../adapters/broker/live-broker.ts';
import type { PaperLedgerRecorder } from '../adapters/ledger/paper-recorder.ts';
import { readLedgerFile } from '../adapters/ledger/ledger-reader.ts';

/** What a fresh snapshot lets the start resume. */
export interface ResumePlan {
  windowId: string;
  quoting: SeriesQuotingState[];
  /** Paper queue positions (dry). */
  queue: Record<string, QueuePosition>;
  snapshotAgeMs: number;
}

export interface RecoveryReport {
  mode: BrokerMode;
  /** Orders from before this start, resting now and adopted by the resumed window. */
  adopted: string[];
  /** Orders from before this start cancelled now (no resumed window holds them), reason `restart`. */
  cancelled: string[];
  /** Live: ours at the exchange that no local state knows; cancelled and reported. */
  orphans: string[];
  /** Dry: markets whose paper orders still wait for a settlement record, with the window target. */
  awaitingSettlement: Map<string, number>;
  /** Ledger lines skipped as torn or invalid while reading it back. */
  skippedLedgerLines: number;
}

const WINDOW_ID = /^(\d{4}-\d{2}-\d{2})\/(?:hourly|close)-(\d{2})(\d{2})$/;

/** The target instant of a window id (`2026-11-20/hourly-1000` → 10:00 ET that day). */
export function windowTargetMs(windowId: string): number | undefined {
  const m = WINDOW_ID.exec(windowId);
  if (!m) return undefined;
  try {
    return etToMs(m[1]!, `${m[2]}:${m[3]}`);
  } catch {
    return undefined;
  }
}

/** Ids the resumed window's quoting state counts as possibly live. */
function resumedIds(resume: ResumePlan | undefined): Set<string> {
  const ids = new Set<string>();
  for (const s of resume?.quoting ?? []) for (const o of liveOrders(s)) ids.add(o.clientOrderId);
  return ids;
}

export async function recoverDry(o: {
  dry: DryBroker;
  recorder: PaperLedgerRecorder;
  ledgerFile: string;
  resume?: ResumePlan;
  /** Cancels through the session's broker (so orders.json and the ledger see it). */
  cancel: (clientOrderId: string, reason: string) => Promise<unknown>;
  log: Logger;
}): Promise<RecoveryReport> {
  const { records, skipped } = readLedgerFile(o.ledgerFile);
  const recovered = [...recoverPaperOrders(records).values()].filter((r) => !r.settled);
  o.recorder.restoreContexts(recovered);
  o.dry.adopt(recovered, o.resume?.queue ?? {});
  const report: RecoveryReport = { mode: 'dry', adopted: [], cancelled: [], orphans: [], awaitingSettlement: new Map(), skippedLedgerLines: skipped.length };
  const keep = resumedIds(o.resume);
  for (const r of recovered) {
    const target = windowTargetMs(r.windowId);
    if (target !== undefined) report.awaitingSettlement.set(r.state.marketTicker, target);
    if (r.state.status !== 'resting') continue;
    if (o.resume && r.windowId === o.resume.windowId && keep.has(r.state.clientOrderId)) {
      report.adopted.push(r.state.clientOrderId);
    } else {
      await o.cancel(r.state.clientOrderId, 'restart');
      report.cancelled.push(r.state.clientOrderId);
    }
  }
  if (skipped.length) o.log.warn({ skipped: skipped.length, first: skipped[0]?.reason }, 'ledger lines skipped while recovering (a torn last line is expected after a crash)');
  return report;
}

export async function recoverLive(o: {
  live: LiveBroker;
  resume?: ResumePlan;
  cancel: (clientOrderId: string, reason: string) => Promise<unknown>;
  /** Ids the local state files know (orders.json live entries). */
  knownIds: ReadonlySet<string>;
  log: Logger;
}): Promise<RecoveryReport> {
  const resting = await o.live.restingOwn(CLIENT_ORDER_ID_PREFIX);
  const keep = resumedIds(o.resume);
  const report: RecoveryReport = { mode: 'live', adopted: [], cancelled: [], orphans: [], awaitingSettlement: new Map(), skippedLedgerLines: 0 };
  o.live.adopt(resting);
  for (const st of resting) {
    if (keep.has(st.clientOrderId)) {
      report.adopted.push(st.clientOrderId);
      continue;
    }
    await o.cancel(st.clientOrderId, 'restart');
    if (o.knownIds.has(st.clientOrderId)) report.cancelled.push(st.clientOrderId);
    else report.orphans.push(st.clientOrderId);
  }
  if (report.orphans.length) o.log.warn({ orphans: report.orphans.length, ids: report.orphans.slice(0, 10).join(',') }, 'orphan orders at the exchange (ours, unknown locally): cancelled');
  return report;
}
