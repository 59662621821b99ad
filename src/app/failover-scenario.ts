/**
 * The scripted dual-feed rehearsal behind `failover-smoke --dry-run` (SPEC §6.4): two in-process feeds
 * on a VirtualClock, driven through the real DualFeed + failover machine, no network.
 *
 * Script (I = tick interval, S = SLO, R = return period; control actions fall between ticks):
 *   1. both feeds fresh                        → stand_down → polygon  (feed_fresh) at the first tick
 *   2. polygon stalls                          → polygon → massive      (primary_stale) at last polygon tick + S + 1
 *   3. polygon recovers                        → massive → polygon      (primary_recovered) at its first tick + R
 *   4. both stall                              → polygon → stand_down   (both_stale) at the last tick + S + 1
 *   5. massive recovers alone                  → stand_down → massive   (feed_fresh) at its first tick
 *   6. polygon recovers                        → massive → polygon      (primary_recovered) at its first tick + R
 * Every expected instant is derived from the parameters, so the rehearsal holds for any configured S and R.
 *
 * It lives in app/ because it composes: the simulator's scripted feeds and seeded paths (sim/massive/) with
 * the real adapters under test (DualFeed, VirtualClock); sim itself depends on ports and core only.
 */
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { DualFeed } from '../adapters/feeds/dual-feed.ts';
import type { ActiveFeed, FailoverTransition, TransitionReason } from '../core/feed/failover.ts';
import type { FeedName } from '../ports/index-feed.ts';
import { etDateOf } from '../core/time/et.ts';
import { ScriptedIndexFeed } from '../sim/massive/scripted-feed.ts';
import { SimIndexDays } from '../sim/massive/paths.ts';

export interface FailoverScenarioOptions {
  /** Virtual start instant (default Fri 2026-11-20 10:00 ET). */
  startMs?: number;
  sloMs: number;
  returnAfterMs: number;
  tickIntervalMs?: number;
  seed?: number;
}

export interface ExpectedTransition {
  at: number;
  from: ActiveFeed;
  to: ActiveFeed;
  reason: TransitionReason;
  /** What the script did to cause it. */
  step: string;
}

export interface ScenarioAction {
  at: number;
  feed: FeedName | 'both';
  action: 'stall' | 'resume';
}

export interface FailoverScenarioResult {
  ok: boolean;
  startMs: number;
  endMs: number;
  params: { sloMs: number; returnAfterMs: number; tickIntervalMs: number };
  actions: ScenarioAction[];
  expected: ExpectedTransition[];
  actual: FailoverTransition[];
  /** One line per difference; empty when ok. */
  mismatches: string[];
}

export const DEFAULT_SCENARIO_START = Date.parse('2026-11-20T15:00:00Z');

export async function runFailoverScenario(o: FailoverScenarioOptions): Promise<FailoverScenarioResult> {
  const I = o.tickIntervalMs ?? 200;
  const S = o.sloMs;
  const R = o.returnAfterMs;
  if (!(I >= 2 && I < S)) throw new RangeError(`failover scenario: tick interval (${I} ms) must be ≥ 2 and below the SLO (${S} ms)`);
  const t0 = o.startMs ?? DEFAULT_SCENARIO_START;
  const half = Math.floor(I / 2);
  const gridCeil = (t: number) => Math.ceil((t - t0) / I) * I + t0;
  const gridFloor = (t: number) => Math.floor((t - t0) / I) * I + t0;
  const firstTickAfter = (t: number) => gridCeil(t);

  // Derive the script and its expected transitions.
  const expected: ExpectedTransition[] = [];
  const actions: ScenarioAction[] = [];
  expected.push({ at: t0, from: 'stand_down', to: 'polygon', reason: 'feed_fresh', step: 'both feeds start fresh' });
  const stallP = gridCeil(t0 + 10_000) + half;
  actions.push({ at: stallP, feed: 'polygon', action: 'stall' });
  const flip = gridFloor(stallP) + S + 1;
  expected.push({ at: flip, from: 'polygon', to: 'massive', reason: 'primary_stale', step: 'polygon stalls' });
  const resumeP = gridCeil(flip + 5_000) + half;
  actions.push({ at: resumeP, feed: 'polygon', action: 'resume' });
  const back = firstTickAfter(resumeP) + R;
  expected.push({ at: back, from: 'massive', to: 'polygon', reason: 'primary_recovered', step: 'polygon recovers' });
  const stallBoth = gridCeil(back + 5_000) + half;
  actions.push({ at: stallBoth, feed: 'both', action: 'stall' });
  const down = gridFloor(stallBoth) + S + 1;
  expected.push({ at: down, from: 'polygon', to: 'stand_down', reason: 'both_stale', step: 'both feeds stall' });
  const resumeM = gridCeil(down + 5_000) + half;
  actions.push({ at: resumeM, feed: 'massive', action: 'resume' });
  const upM = firstTickAfter(resumeM);
  expected.push({ at: upM, from: 'stand_down', to: 'massive', reason: 'feed_fresh', step: 'massive recovers alone' });
  const resumeP2 = gridCeil(upM + 2_000) + half;
  actions.push({ at: resumeP2, feed: 'polygon', action: 'resume' });
  const back2 = firstTickAfter(resumeP2) + R;
  expected.push({ at: back2, from: 'massive', to: 'polygon', reason: 'primary_recovered', step: 'polygon recovers' });
  const endMs = back2 + 5_000;

  // Run it through the real adapter on virtual time.
  const clock = new VirtualClock(t0);
  const days = new SimIndexDays(o.seed ?? 1);
  const valueAt = (sym: 'I:SPX' | 'I:NDX', ms: number) => days.path(sym, etDateOf(ms)).valueAt(ms);
  const feeds = {
    polygon: new ScriptedIndexFeed({ name: 'polygon', clock, intervalMs: I, valueAt, originMs: t0 }),
    massive: new ScriptedIndexFeed({ name: 'massive', clock, intervalMs: I, valueAt, originMs: t0 }),
  };
  const dual = new DualFeed({ clock, polygon: feeds.polygon, massive: feeds.massive, sloMs: S, returnAfterMs: R });
  for (const a of actions) {
    clock.setTimeout(() => {
      for (const name of a.feed === 'both' ? (['polygon', 'massive'] as const) : [a.feed]) feeds[name][a.action]();
    }, a.at - t0);
  }
  try {
    await dual.start();
    await clock.advanceTo(endMs);
  } finally {
    await dual.stop();
    dual.dispose();
    clock.dispose();
  }

  const actual = [...dual.transitions];
  const mismatches: string[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    const rel = (t: number) => `+${t - t0} ms`;
    if (!e) mismatches.push(`unexpected transition #${i + 1}: ${a!.from} → ${a!.to} (${a!.reason}) at ${rel(a!.at)}`);
    else if (!a) mismatches.push(`missing transition #${i + 1}: ${e.from} → ${e.to} (${e.reason}) expected at ${rel(e.at)}`);
    else if (a.at !== e.at || a.from !== e.from || a.to !== e.to || a.reason !== e.reason) {
      mismatches.push(`transition #${i + 1}: expected ${e.from} → ${e.to} (${e.reason}) at ${rel(e.at)}, got ${a.from} → ${a.to} (${a.reason}) at ${rel(a.at)}`);
    }
  }
  return { ok: mismatches.length === 0, startMs: t0, endMs, params: { sloMs: S, returnAfterMs: R, tickIntervalMs: I }, actions, expected, actual, mismatches };
}
