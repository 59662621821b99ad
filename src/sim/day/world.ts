/**
 * The simulated world's paths of (seed, date, session) — the one entry point (issue 19). The Kalshi
 * simulator's exchange and oracle (sim/market/day.ts), the Massive simulator's feeds (sim/massive/paths.ts),
 * a replayed day (app/replay/inprocess-day.ts), the offline spot (app/market-adapters.ts) and `sim bars` all read
 * their index paths here, so one (seed, date, session, world) tells one story everywhere.
 *
 * The world is one setting (`SimWorldOptions`, or just its kind):
 * - `regime` (the default): day-level vol regimes persisting across days (SPX and NDX correlated), intraday
 *   clustering, scheduled event bursts and jumps (sim/day/regime.ts; knobs `DEFAULT_REGIME`);
 * - `classic`: the old world, a Gaussian walk with the same U-shape and annual vol every day
 *   (sim/day/index-path.ts `generateIndexPath`), for tests that need its numbers.
 * The regime world's events: `events` when given, else the simulator's macro calendar
 * (sim/day/macro-calendar.ts `simEventSchedule`: pass it the operator's `configs/events.yaml`).
 */
import type { IndexSymbol } from '../../core/series.ts';
import type { EventSchedule } from '../../core/event-schedule.ts';
import { etToMs } from '../../core/time/et.ts';
import { generateIndexPath, type IndexPath } from './index-path.ts';
import { simEventSchedule } from './macro-calendar.ts';
import { generateRegimePath, resolveRegime, type RegimeKnobs, type RegimeOverrides } from './regime.ts';

export type SimWorldKind = 'classic' | 'regime';
export const SIM_WORLD_KINDS: readonly SimWorldKind[] = ['regime', 'classic'];
export const DEFAULT_WORLD: SimWorldKind = 'regime';

export interface SimWorldOptions {
  /** Default `regime`. */
  kind?: SimWorldKind;
  /** The regime world's event schedule (default: `simEventSchedule()`, the simulator's macro calendar). */
  events?: EventSchedule;
  /** Regime knobs, merged into `DEFAULT_REGIME`. */
  regime?: RegimeOverrides;
}

/** The world setting as options take it: a kind, or the full options. */
export type SimWorldSetting = SimWorldKind | SimWorldOptions;

export interface SimWorld {
  kind: SimWorldKind;
  events: EventSchedule;
  knobs: RegimeKnobs;
}

const resolved = new WeakMap<object, SimWorld>();
const BY_KIND = new Map<SimWorldKind, SimWorld>();

/** The full world of a setting (defaults filled, knobs validated). */
export function resolveWorld(w: SimWorldSetting | SimWorld | undefined): SimWorld {
  if (w === undefined || typeof w === 'string') {
    const kind = w ?? DEFAULT_WORLD;
    if (!SIM_WORLD_KINDS.includes(kind)) throw new RangeError(`sim world: unknown kind ${String(kind)} (regime or classic)`);
    let hit = BY_KIND.get(kind);
    if (!hit) BY_KIND.set(kind, (hit = { kind, events: simEventSchedule(), knobs: resolveRegime() }));
    return hit;
  }
  const hit = resolved.get(w);
  if (hit) return hit;
  if ('knobs' in w && w.kind !== undefined && 'events' in w && w.events) return w as SimWorld;
  const o = w as SimWorldOptions;
  const kind = o.kind ?? DEFAULT_WORLD;
  if (!SIM_WORLD_KINDS.includes(kind)) throw new RangeError(`sim world: unknown kind ${String(kind)} (regime or classic)`);
  const out: SimWorld = { kind, events: simEventSchedule(o.events), knobs: resolveRegime(o.regime) };
  resolved.set(w, out);
  return out;
}

export interface WorldDay {
  seed: number;
  dateEt: string;
  /** ET close `HH:MM` (default 16:00); the session runs 09:30 → close. */
  closeEt?: string;
  world?: SimWorldSetting | SimWorld;
}

/** One index's path of a simulated day. */
export function worldPath(symbol: IndexSymbol, d: WorldDay): IndexPath {
  const w = resolveWorld(d.world);
  const closeEt = d.closeEt ?? '16:00';
  if (w.kind === 'classic') {
    return generateIndexPath({ symbol, seed: d.seed, startMs: etToMs(d.dateEt, '09:30'), endMs: etToMs(d.dateEt, closeEt), stepMs: 1000 });
  }
  return generateRegimePath({ symbol, seed: d.seed, dateEt: d.dateEt, closeEt, events: w.events, knobs: w.knobs, stepMs: 1000 });
}

/** Both indices' paths of a simulated day. */
export function worldPaths(d: WorldDay): { spx: IndexPath; ndx: IndexPath } {
  return { spx: worldPath('I:SPX', d), ndx: worldPath('I:NDX', d) };
}
