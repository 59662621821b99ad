/**
 * Dual-feed failover (SPEC §6.4) as a pure state machine over the two index feeds: `polygon` (primary)
 * and `massive` (secondary). The caller hands in each feed's health at an instant; the machine answers
 * with the next state and, when the active feed changes, one transition event.
 *
 * A feed is fresh ⇔ it has delivered data and its age ≤ the SLO (default 1200 ms).
 * - on polygon: polygon stale → massive if massive is fresh, else stand down;
 * - on massive: polygon fresh continuously for `returnAfterMs` (5 s) → back to polygon; massive stale →
 *   polygon if polygon is fresh (never sit on a stale feed while the other one is fresh), else stand down;
 * - standing down: resume on polygon if fresh, else on massive if fresh.
 * The machine starts standing down: before any data arrives nothing is fresh.
 *
 * A stand-down because both feeds said their data is over (`ended`: a replayed day after its window's
 * target, until the next window's data) is the end of the data, not an outage: reason `data_ended`.
 */
import type { FeedName } from './feed-name.ts';

export type ActiveFeed = FeedName | 'stand_down';

export interface FailoverConfig {
  /** A feed older than this is stale (`feeds.failover_slo_ms`). */
  sloMs: number;
  /** How long polygon must be continuously fresh before we return to it (`feeds.return_after_ms`). */
  returnAfterMs: number;
}

export interface FeedHealth {
  /** now − last receipt; null when the feed has delivered nothing (for every required symbol) yet. */
  ageMs: number | null;
  /** Start of the feed's current continuously-fresh run; null when it is not fresh now. */
  freshSinceMs: number | null;
  /** The source said its data is over (until it delivers again): its silence is not an outage. */
  ended?: boolean;
}

export interface FailoverInput {
  now: number;
  polygon: FeedHealth;
  massive: FeedHealth;
}

export type TransitionReason =
  /** stand_down → a feed that is fresh again. */
  | 'feed_fresh'
  /** polygon → massive: polygon's age exceeded the SLO while massive was fresh. */
  | 'primary_stale'
  /** massive → polygon: polygon fresh continuously for return_after_ms. */
  | 'primary_recovered'
  /** massive → polygon early: massive went stale while polygon was fresh. */
  | 'secondary_stale'
  /** any → stand_down: no feed is fresh. */
  | 'both_stale'
  /** any → stand_down: no feed is fresh because both feeds' data ended (not an outage). */
  | 'data_ended';

export interface FailoverTransition {
  at: number;
  from: ActiveFeed;
  to: ActiveFeed;
  reason: TransitionReason;
  ages: { polygon: number | null; massive: number | null };
}

export interface FailoverState {
  readonly active: ActiveFeed;
  readonly lastSwitchAt: number | null;
  readonly switches: number;
}

export const initialFailoverState = (): FailoverState => ({ active: 'stand_down', lastSwitchAt: null, switches: 0 });

export const isFresh = (h: FeedHealth, cfg: FailoverConfig): boolean => h.ageMs !== null && h.ageMs <= cfg.sloMs;

function decide(state: FailoverState, input: FailoverInput, cfg: FailoverConfig): { to: ActiveFeed; reason: TransitionReason } | null {
  const polygonFresh = isFresh(input.polygon, cfg);
  const massiveFresh = isFresh(input.massive, cfg);
  const down = { to: 'stand_down' as const, reason: input.polygon.ended && input.massive.ended ? ('data_ended' as const) : ('both_stale' as const) };
  switch (state.active) {
    case 'polygon':
      if (polygonFresh) return null;
      return massiveFresh ? { to: 'massive', reason: 'primary_stale' } : down;
    case 'massive': {
      const since = input.polygon.freshSinceMs;
      if (polygonFresh && since !== null && input.now - since >= cfg.returnAfterMs) return { to: 'polygon', reason: 'primary_recovered' };
      if (massiveFresh) return null;
      return polygonFresh ? { to: 'polygon', reason: 'secondary_stale' } : down;
    }
    case 'stand_down':
      if (polygonFresh) return { to: 'polygon', reason: 'feed_fresh' };
      if (massiveFresh) return { to: 'massive', reason: 'feed_fresh' };
      return null;
  }
}

export function stepFailover(
  state: FailoverState,
  input: FailoverInput,
  cfg: FailoverConfig,
): { state: FailoverState; transition: FailoverTransition | null } {
  const d = decide(state, input, cfg);
  if (!d) return { state, transition: null };
  const transition: FailoverTransition = {
    at: input.now,
    from: state.active,
    to: d.to,
    reason: d.reason,
    ages: { polygon: input.polygon.ageMs, massive: input.massive.ageMs },
  };
  return { state: { active: d.to, lastSwitchAt: input.now, switches: state.switches + 1 }, transition };
}

/**
 * The earliest instant after `input.now` at which the decision could change without any new data:
 * a fresh feed crossing the SLO (age becomes SLO + 1 ms), or polygon completing its return period.
 * Callers re-evaluate then (and on every new message), so transitions land on their exact instants.
 */
export function nextFailoverCheckAt(state: FailoverState, input: FailoverInput, cfg: FailoverConfig): number | undefined {
  let next = Number.POSITIVE_INFINITY;
  for (const h of [input.polygon, input.massive]) {
    if (h.ageMs !== null && h.ageMs <= cfg.sloMs) next = Math.min(next, input.now - h.ageMs + cfg.sloMs + 1);
  }
  if (state.active === 'massive' && isFresh(input.polygon, cfg) && input.polygon.freshSinceMs !== null) {
    next = Math.min(next, input.polygon.freshSinceMs + cfg.returnAfterMs);
  }
  return next > input.now && Number.isFinite(next) ? next : undefined;
}
