/**
 * The simulated index day for the Massive simulator: one seeded path per (symbol, ET date) of the simulated
 * world (sim/day/world.ts `worldPath`), sampled per second over the regular session (09:30 → close).
 * Instants outside the session clamp to the open / close value, as an index does overnight.
 */
import type { IndexSymbol } from '../../core/series.ts';
import { weekday } from '../../core/time/et.ts';
import type { IndexPath } from '../day/index-path.ts';
import { resolveWorld, worldPath, type SimWorld, type SimWorldSetting } from '../day/world.ts';

export interface SimSession {
  /** ET close `HH:MM` (16:00, or 13:00 on early-close days). */
  closeEt: string;
}

/** Default session rule: weekdays 09:30–16:00 ET (plug a real calendar in via `session`). */
export function weekdaySession(dateEt: string): SimSession | null {
  return weekday(dateEt) >= 6 ? null : { closeEt: '16:00' };
}

export class SimIndexDays {
  private readonly cache = new Map<string, IndexPath>();
  private readonly world: SimWorld;

  constructor(
    private readonly seed: number,
    private readonly session: (dateEt: string) => SimSession | null = weekdaySession,
    world?: SimWorldSetting | SimWorld,
  ) {
    this.world = resolveWorld(world);
  }

  sessionOf(dateEt: string): SimSession | null {
    return this.session(dateEt);
  }

  /** The path of a day; non-trading days get a regular-hours path too, so streams never break. */
  path(symbol: IndexSymbol, dateEt: string): IndexPath {
    const key = `${symbol}|${dateEt}`;
    let p = this.cache.get(key);
    if (!p) {
      const closeEt = this.session(dateEt)?.closeEt ?? '16:00';
      p = worldPath(symbol, { seed: this.seed, dateEt, closeEt, world: this.world });
      if (this.cache.size >= 64) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, p);
    }
    return p;
  }
}
