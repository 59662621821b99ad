/**
 * What the Massive simulator's two sides share (server.ts composes them): the options, the seeded paths, the
 * connected clients and their log, and the fault switches the controls flip. One mutable record, so the
 * websocket side (ws-feed.ts), the REST side (rest-routes.ts) and the controls (server.ts) read and flip the
 * same switches.
 */
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { etDateOf } from '../../core/time/et.ts';
import { SimIndexDays, type SimSession } from './paths.ts';
import type { SimWorld, SimWorldSetting } from '../day/world.ts';

export interface MassiveSimOptions {
  clock: Clock;
  seed: number;
  apiKey: string;
  /** Stream this ET date's path (default: the clock's ET date at each tick). */
  dateEt?: string;
  host?: string;
  port?: number;
  tickIntervalMs?: number;
  symbols?: readonly IndexSymbol[];
  /** Close clients that have not authenticated within this (clock) time with `auth_timeout`. */
  authTimeoutMs?: number;
  /** Real-server behaviour: a second authenticated connection evicts older ones (max_connections, 1008). */
  enforceSingleConnection?: boolean;
  /** Trading-day rule for market status and aggregates (default: weekdays, 16:00 close). */
  session?: (dateEt: string) => SimSession | null;
  /** The simulated world the paths come from (default `regime`; sim/day/world.ts). */
  world?: SimWorldSetting | SimWorld;
}

export interface SimLogEntry {
  at: number;
  clientId: number;
  /** `open`, `auth`, `subscribe`, `unsubscribe`, `close`, or `invalid`. */
  kind: string;
  detail?: string;
}

export interface Client {
  id: number;
  ws: WebSocket;
  connectedAt: number;
  authenticated: boolean;
  subs: Set<string>;
  authTimer: TimerHandle | undefined;
}

export interface MassiveSimState {
  readonly o: MassiveSimOptions;
  readonly clock: Clock;
  readonly tickMs: number;
  readonly symbols: readonly IndexSymbol[];
  readonly days: SimIndexDays;
  readonly clients: Map<number, Client>;
  readonly log: SimLogEntry[];
  readonly violations: string[];
  readonly connTimes: number[];
  readonly notEntitled: Set<string>;
  readonly valueAt: (symbol: IndexSymbol, ms: number) => number;
  nextClientId: number;
  stalled: boolean;
  keepPongs: boolean;
  stalledAt: number | null;
  rejectingAuth: boolean;
  restFail: { status: number; count: number; retryAfter?: number } | null;
  restCount: number;
  requestSeq: number;
  /** How far this server's clock is from the shared one (a drifting world, for the clock-drift drills). */
  clockOffsetMs: number;
  closed: boolean;
}

const ALL: readonly IndexSymbol[] = ['I:SPX', 'I:NDX'];

export function createSimState(o: MassiveSimOptions, tickMs: number): MassiveSimState {
  const days = new SimIndexDays(o.seed, o.session, o.world);
  return {
    o,
    clock: o.clock,
    tickMs,
    symbols: o.symbols ?? ALL,
    days,
    clients: new Map(),
    log: [],
    violations: [],
    connTimes: [],
    notEntitled: new Set(),
    valueAt: (symbol, ms) => days.path(symbol, o.dateEt ?? etDateOf(ms)).valueAt(ms),
    nextClientId: 1,
    stalled: false,
    keepPongs: false,
    stalledAt: null,
    rejectingAuth: false,
    restFail: null,
    restCount: 0,
    requestSeq: 0,
    clockOffsetMs: 0,
    closed: false,
  };
}
