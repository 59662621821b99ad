/**
 * Massive indices simulator on loopback (SPEC §9; protocol per reference polygon_massive.md §1–§2):
 * - websocket at `/indices` (ws-feed.ts): `connected` on open → `auth` checked against the key
 *   (`auth_success` / `auth_failed` + close) → `subscribe` acknowledged per item; subscribing before auth gets
 *   `auth_required`. Every `tickIntervalMs` of clock time each authenticated client receives one frame
 *   with all its subscribed events (V ticks; A per-tick bars; AM bars on minute boundaries).
 * - HTTP (rest-routes.ts; `Authorization: Bearer <key>` required, else 401): `/v3/snapshot/indices`,
 *   `/v1/marketstatus/now`, `/v2/aggs/ticker/{ticker}/range/{mult}/{timespan}/{from}/{to}`.
 * Values come from a seeded intraday path per symbol and ET date; time from the injected Clock.
 * Fault controls (stall, drop, malformed frames, auth rejection, max_connections, slow_consumer,
 * REST error statuses) let tests inject every §6 fault. Run one instance per feed.
 *
 * This file composes the two sides on one HTTP server (the upgrade at `/indices`) and holds the handle and its
 * controls; the state both sides share and the controls flip is sim-state.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IndexSymbol } from '../../core/series.ts';
import { assertDate } from '../../core/time/et.ts';
import { createSimState, type Client, type MassiveSimOptions, type SimLogEntry } from './sim-state.ts';
import { createWsFeed } from './ws-feed.ts';
import { createRestRoutes } from './rest-routes.ts';

export type { MassiveSimOptions, SimLogEntry } from './sim-state.ts';

export interface SimClientInfo {
  id: number;
  connectedAt: number;
  authenticated: boolean;
  subscriptions: string[];
}

export interface MassiveSim {
  wsUrl: string;
  restUrl: string;
  port: number;
  /** Everything clients did, in order (handshake-order assertions). */
  readonly log: readonly SimLogEntry[];
  /** Protocol violations seen (e.g. `subscribe_before_auth`). */
  readonly violations: readonly string[];
  clients(): SimClientInfo[];
  /** Connection instants (clock ms). */
  connectionTimes(): number[];
  restRequests(): number;
  valueAt(symbol: IndexSymbol, ms: number): number;

  /** Stop sending anything (ticks, statuses and — unless keepPongs — pongs); sockets stay open; REST data freezes. */
  stall(opts?: { keepPongs?: boolean }): void;
  /** Stamp every message (tick times, snapshot updates, serverTime) `ms` off the shared clock: a world whose clock disagrees with ours. */
  setClockOffset(ms: number): void;
  resume(): void;
  readonly stalled: boolean;
  /** Abruptly drop every websocket connection. */
  dropAll(): void;
  /** Send a raw text frame to every authenticated client. */
  sendRaw(text: string): void;
  /** Send a batch of malformed frames/events; returns how many malformed messages a client should count. */
  sendMalformed(): number;
  /** While on, every auth attempt gets `auth_failed` and a close. */
  rejectAuth(on: boolean): void;
  /** `max_connections` to every client, then close 1008 (as when another connection evicts ours). */
  kickMaxConnections(): void;
  slowConsumer(): void;
  forceDisconnect(): void;
  /** The next `count` REST requests answer `status` (e.g. 429 with Retry-After, 503). */
  failRest(status: number, count: number, retryAfterSeconds?: number): void;
  /** Snapshot rows for this ticker become `NOT_ENTITLED`. */
  setNotEntitled(ticker: string, on: boolean): void;
  close(): Promise<void>;
}

export async function startMassiveSim(o: MassiveSimOptions): Promise<MassiveSim> {
  const clock = o.clock;
  const tickMs = o.tickIntervalMs ?? 1000;
  if (!(tickMs > 0)) throw new RangeError('startMassiveSim: tickIntervalMs must be > 0');
  if (o.dateEt) assertDate(o.dateEt);
  const st = createSimState(o, tickMs);
  const { clients, valueAt } = st;
  const feed = createWsFeed(st);
  const { wss, kick } = feed;
  const server = http.createServer(createRestRoutes(st));

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (path !== '/indices') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  feed.scheduleTick();

  const forEachAuthed = (fn: (c: Client) => void) => {
    for (const c of clients.values()) if (c.authenticated) fn(c);
  };

  const sendRaw = (text: string) => forEachAuthed((c) => c.ws.readyState === c.ws.OPEN && c.ws.send(text));

  const sim: MassiveSim = {
    wsUrl: `ws://${host}:${port}/indices`,
    restUrl: `http://${host}:${port}`,
    port,
    log: st.log,
    violations: st.violations,
    clients: () => [...clients.values()].map((c) => ({ id: c.id, connectedAt: c.connectedAt, authenticated: c.authenticated, subscriptions: [...c.subs] })),
    connectionTimes: () => [...st.connTimes],
    restRequests: () => st.restCount,
    valueAt,
    setClockOffset(ms: number) {
      st.clockOffsetMs = ms;
    },
    stall(opts = {}) {
      st.stalled = true;
      st.keepPongs = opts.keepPongs ?? false;
      st.stalledAt = clock.now();
    },
    resume() {
      st.stalled = false;
      st.stalledAt = null;
    },
    get stalled() {
      return st.stalled;
    },
    dropAll() {
      for (const c of clients.values()) c.ws.terminate();
    },
    sendRaw,
    sendMalformed() {
      const t = clock.now();
      const frames = [
        'this is not json',
        '{"ev":"V","val":1,"T":"I:SPX","t":1}', // not an array
        JSON.stringify([{ ev: 'V', val: 'abc', T: 'I:SPX', t }]), // value not numeric
        JSON.stringify([{ ev: 'V', val: 6800.5, T: 'I:SPX', t: 12345 }]), // implausible timestamp
        JSON.stringify([{ ev: 'V', val: 6800.5, T: 'SPX', t }]), // ticker without I:
        JSON.stringify([{ ev: 'status', status: 42 }, null, 42]), // a non-text status, null, a number
      ];
      for (const f of frames) sendRaw(f);
      return 1 + 1 + 1 + 1 + 1 + 3;
    },
    rejectAuth(on: boolean) {
      st.rejectingAuth = on;
    },
    kickMaxConnections() {
      for (const c of clients.values()) kick(c, 'max_connections', 'Maximum number of websocket connections exceeded.');
    },
    slowConsumer() {
      for (const c of clients.values()) kick(c, 'slow_consumer', 'Slow consumer: server buffer full.');
    },
    forceDisconnect() {
      for (const c of clients.values()) kick(c, 'force_disconnect', 'Connection forcibly closed.');
    },
    failRest(statusCode: number, count: number, retryAfterSeconds?: number) {
      st.restFail = { status: statusCode, count, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },
    setNotEntitled(ticker: string, on: boolean) {
      if (on) st.notEntitled.add(ticker);
      else st.notEntitled.delete(ticker);
    },
    async close() {
      st.closed = true;
      await feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}
