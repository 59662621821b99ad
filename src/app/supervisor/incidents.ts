/**
 * What the supervisor writes to REPORT.md on its own account (through the session's `incident`): a window
 * that did not pass preflight, and the index feeds standing down — and coming back — inside a window.
 * (Cancel-alls, maintenance and ledger errors are the session's own incidents; `shutdown` is the day loop's.)
 */
import type { TradingWindow } from '../../core/windows.ts';
import type { DualFeed } from '../../adapters/feeds/dual-feed.ts';
import type { Logger } from '../../ports/logger.ts';
import type { TradingSession } from '../session.ts';
import type { RunState } from './state.ts';
import type { SupervisedWindow } from './windows.ts';

/** A NO-GO window: counted per reason (the snapshot's stats), logged once, one REPORT.md line. */
export function reportNoGo(s: RunState, session: TradingSession, entry: SupervisedWindow, log: Logger): void {
  const w = entry.window;
  entry.state = 'no_go';
  for (const r of entry.reasons) s.noGo[r] = (s.noGo[r] ?? 0) + 1;
  log.warn({ window_id: w.id, reasons: entry.reasons.join(',') }, `window ${w.label} NO-GO`);
  session.incident('no_go', `window ${w.id} NO-GO: ${entry.reasons.join(', ')}`);
}

/**
 * Records every failover transition of the day's dual feed, and reports a stand-down during the active
 * window (both feeds stale: cancel all, no quotes) and the recovery from it. Returns the disposer.
 */
export function watchFeedIncidents(dual: DualFeed, session: TradingSession, s: RunState, now: () => number): () => void {
  let stoodDown = false;
  return dual.onTransition((t) => {
    s.transitions.push(t);
    const w: TradingWindow | undefined = s.active;
    if (!w || now() < w.startMs || now() >= w.targetMs) return;
    // (A stand-down for the end of the day's data — a replayed day after its target — is no outage.)
    if (t.to === 'stand_down' && t.reason !== 'data_ended') {
      stoodDown = true;
      session.incident('stand_down', `both index feeds stale during ${w.id} (polygon ${t.ages.polygon ?? '-'} ms, massive ${t.ages.massive ?? '-'} ms): cancel all, no quotes`);
    } else if (t.from === 'stand_down' && stoodDown) {
      // (The first feed coming up after start-up is not a recovery.)
      stoodDown = false;
      session.incident('feed_resumed', `index feed ${t.to} fresh again during ${w.id}: quoting resumes`);
    }
  });
}
