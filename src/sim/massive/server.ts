/**
 * Massive indices simulator on loopback (SPEC §9; protocol per reference polygon_massive.md §1–§2):
 * - websocket at `/indices`: `connected` on open → `auth` checked against the key (`auth_success` /
 *   `auth_failed` + close) → `subscribe` acknowledged per item; subscribing before auth gets
 *   `auth_required`. Every `tickIntervalMs` of clock time each authenticated client receives one frame
 *   with all its subscribed events (V ticks; A per-tick bars; AM bars on minute boundaries).
 * - HTTP (`Authorization: Bearer <key>` required, else 401): `/v3/snapshot/indices`,
 *   `/v1/marketstatus/now`, `/v2/aggs/ticker/{ticker}/range/{mult}/{timespan}/{from}/{to}`.
 * Values come from a seeded intraday path per symbol and ET date; time from the injected Clock.
 * Fault controls (stall, drop, malformed frames, auth rejection, max_connections, slow_consumer,
 * REST error statuses) let tests inject every §6 fault. Run one instance per feed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { addDays, etDateOf, etTimeOf, etToMs, formatEt, assertDate } from '../../core/time/et.ts';
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

export interface SimClientInfo {
  id: number;
  connectedAt: number;
  authenticated: boolean;
  subscriptions: string[];
}

export interface SimLogEntry {
  at: number;
  clientId: number;
  /** `open`, `auth`, `subscribe`, `unsubscribe`, `close`, or `invalid`. */
  kind: string;
  detail?: string;
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

interface Client {
  id: number;
  ws: WebSocket;
  connectedAt: number;
  authenticated: boolean;
  subs: Set<string>;
  authTimer: TimerHandle | undefined;
}

const ALL: readonly IndexSymbol[] = ['I:SPX', 'I:NDX'];
const NAMES: Record<IndexSymbol, string> = { 'I:SPX': 'Standard & Poor\'s 500', 'I:NDX': 'Nasdaq-100' };

export async function startMassiveSim(o: MassiveSimOptions): Promise<MassiveSim> {
  const clock = o.clock;
  const tickMs = o.tickIntervalMs ?? 1000;
  if (!(tickMs > 0)) throw new RangeError('startMassiveSim: tickIntervalMs must be > 0');
  if (o.dateEt) assertDate(o.dateEt);
  const symbols = o.symbols ?? ALL;
  const days = new SimIndexDays(o.seed, o.session, o.world);
  const clients = new Map<number, Client>();
  const log: SimLogEntry[] = [];
  const violations: string[] = [];
  const connTimes: number[] = [];
  const notEntitled = new Set<string>();
  let nextClientId = 1;
  let stalled = false;
  let keepPongs = false;
  let stalledAt: number | null = null;
  let rejectingAuth = false;
  let restFail: { status: number; count: number; retryAfter?: number } | null = null;
  let restCount = 0;
  let requestSeq = 0;
  let lastMinute = -1;
  let tickTimer: TimerHandle | undefined;
  let closed = false;

  const valueAt = (symbol: IndexSymbol, ms: number) => days.path(symbol, o.dateEt ?? etDateOf(ms)).valueAt(ms);
  const send = (c: Client, events: object[]) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(events));
  };
  const status = (s: string, message: string) => ({ ev: 'status', status: s, message });
  const record = (clientId: number, kind: string, detail?: string) => log.push({ at: clock.now(), clientId, kind, ...(detail !== undefined ? { detail } : {}) });

  // ---- websocket -------------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket) => {
    const c: Client = { id: nextClientId++, ws, connectedAt: clock.now(), authenticated: false, subs: new Set(), authTimer: undefined };
    clients.set(c.id, c);
    connTimes.push(c.connectedAt);
    record(c.id, 'open');
    if (o.authTimeoutMs) {
      c.authTimer = clock.setTimeout(() => {
        c.authTimer = undefined;
        if (c.authenticated) return;
        send(c, [status('auth_timeout', 'authentication timed out')]);
        ws.close(1008, 'auth_timeout');
      }, o.authTimeoutMs);
    }
    ws.on('ping', (data: Buffer) => {
      if (!stalled || keepPongs) ws.pong(data);
    });
    ws.on('message', (data: Buffer) => onClientMessage(c, data.toString('utf8')));
    ws.on('close', () => {
      if (c.authTimer) clock.clearTimeout(c.authTimer);
      clients.delete(c.id);
      record(c.id, 'close');
    });
    ws.on('error', () => {});
    if (!stalled) send(c, [status('connected', 'Connected Successfully')]);
  });

  function onClientMessage(c: Client, text: string): void {
    let msg: { action?: unknown; params?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      record(c.id, 'invalid', 'not JSON');
      return;
    }
    const params = typeof msg.params === 'string' ? msg.params : '';
    switch (msg.action) {
      case 'auth': {
        record(c.id, 'auth');
        if (rejectingAuth || params !== o.apiKey) {
          send(c, [status('auth_failed', 'authentication failed')]);
          c.ws.close(1008, 'auth_failed');
          return;
        }
        c.authenticated = true;
        if (c.authTimer) clock.clearTimeout(c.authTimer);
        c.authTimer = undefined;
        send(c, [status('auth_success', 'authenticated')]);
        if (o.enforceSingleConnection) {
          for (const other of clients.values()) if (other !== c && other.authenticated) kick(other, 'max_connections', 'Maximum number of websocket connections exceeded.');
        }
        return;
      }
      case 'subscribe':
      case 'unsubscribe': {
        record(c.id, msg.action, params);
        if (!c.authenticated) {
          violations.push(`${msg.action}_before_auth`);
          send(c, [status('auth_required', 'authentication required')]);
          return;
        }
        const items = params.split(',').map((s) => s.trim()).filter(Boolean);
        const acks = items.map((item) => {
          if (msg.action === 'subscribe') c.subs.add(item);
          else c.subs.delete(item);
          return status('success', `${msg.action === 'subscribe' ? 'subscribed' : 'unsubscribed'} to: ${item}`);
        });
        send(c, acks);
        return;
      }
      default:
        record(c.id, 'invalid', `unknown action`);
    }
  }

  function kick(c: Client, s: string, message: string): void {
    send(c, [status(s, message)]);
    c.ws.close(1008, s);
  }

  function wants(c: Client, ch: string, sym: string): boolean {
    return c.subs.has(`${ch}.${sym}`) || c.subs.has(`${ch}.*`);
  }

  function bar(sym: IndexSymbol, fromMs: number, toMs: number) {
    // Samples in (fromMs, toMs] at 1 s resolution of the path.
    let o = NaN, h = -Infinity, l = Infinity, cl = NaN;
    for (let t = fromMs + 1000; t <= toMs; t += 1000) {
      const v = valueAt(sym, t);
      if (Number.isNaN(o)) o = v;
      h = Math.max(h, v);
      l = Math.min(l, v);
      cl = v;
    }
    if (Number.isNaN(o)) o = h = l = cl = valueAt(sym, toMs);
    return { o, h, l, c: cl };
  }

  /** How far this server's clock is from the shared one (a drifting world, for the clock-drift drills). */
  let clockOffsetMs = 0;

  function onTick(): void {
    tickTimer = undefined;
    if (closed) return;
    const now = clock.now();
    const minute = Math.floor(now / 60_000);
    const minuteClosed = lastMinute !== -1 && minute !== lastMinute;
    if (!stalled) {
      for (const c of clients.values()) {
        if (!c.authenticated || c.subs.size === 0) continue;
        const events: object[] = [];
        for (const sym of symbols) {
          const open = valueAt(sym, etToMs(etDateOf(now), '09:30'));
          if (wants(c, 'V', sym)) events.push({ ev: 'V', val: valueAt(sym, now), T: sym, t: now + clockOffsetMs });
          if (wants(c, 'A', sym)) events.push({ ev: 'A', sym, op: open, ...bar(sym, now - tickMs, now), s: now - tickMs, e: now });
          if (minuteClosed && wants(c, 'AM', sym)) {
            const end = minute * 60_000;
            events.push({ ev: 'AM', sym, op: open, ...bar(sym, end - 60_000, end), s: end - 60_000, e: end });
          }
        }
        if (events.length > 0) send(c, events);
      }
    }
    lastMinute = minute;
    scheduleTick();
  }

  function scheduleTick(): void {
    const now = clock.now();
    const next = (Math.floor(now / tickMs) + 1) * tickMs;
    tickTimer = clock.setTimeout(onTick, next - now);
  }

  // ---- REST ------------------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    restCount++;
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const requestId = `sim-${++requestSeq}`;
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+/i.test(auth)) {
      reply(401, { status: 'ERROR', request_id: requestId, error: 'API Key was not provided' });
      return;
    }
    if (auth.replace(/^Bearer\s+/i, '') !== o.apiKey) {
      reply(401, { status: 'ERROR', request_id: requestId, error: 'Unknown API Key' });
      return;
    }
    if (restFail && restFail.count > 0) {
      restFail.count--;
      const headers: Record<string, string> = restFail.retryAfter !== undefined ? { 'retry-after': String(restFail.retryAfter) } : {};
      reply(restFail.status, { status: 'ERROR', request_id: requestId, error: `simulated ${restFail.status}` }, headers);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sim');
    try {
      if (req.method !== 'GET') return reply(405, { status: 'ERROR', request_id: requestId, error: 'method not allowed' });
      if (url.pathname === '/v3/snapshot/indices') return reply(200, snapshot(url, requestId));
      if (url.pathname === '/v1/marketstatus/now') return reply(200, marketStatus());
      const m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/([a-z]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (m) return aggs(decodeURIComponent(m[1]!), Number(m[2]), m[3]!, m[4]!, m[5]!, url, requestId, reply);
      reply(404, { status: 'NOT_FOUND', request_id: requestId, message: 'route not found' });
    } catch (e) {
      reply(400, { status: 'ERROR', request_id: requestId, error: (e as Error).message });
    }
  });

  /** Time of the last tick the feed would have produced (frozen while stalled). */
  const lastUpdateMs = () => {
    const t = stalled && stalledAt !== null ? stalledAt : clock.now();
    return Math.floor(t / tickMs) * tickMs + clockOffsetMs;
  };

  function snapshot(url: URL, requestId: string) {
    const list = (url.searchParams.get('ticker.any_of') ?? url.searchParams.get('ticker') ?? symbols.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const at = lastUpdateMs();
    const results = list.map((ticker) => {
      if (!(symbols as readonly string[]).includes(ticker)) return { ticker, error: 'NOT_FOUND', message: 'Ticker not found.' };
      if (notEntitled.has(ticker)) return { ticker, error: 'NOT_ENTITLED', message: 'Not entitled to this ticker.' };
      const sym = ticker as IndexSymbol;
      const value = valueAt(sym, at);
      const open = valueAt(sym, etToMs(etDateOf(at), '09:30'));
      const prevClose = Math.round(open * 0.999 * 100) / 100;
      return {
        ticker,
        name: NAMES[sym],
        type: 'indices',
        market_status: marketState(at).market,
        timeframe: 'REAL-TIME',
        value,
        last_updated: at * 1e6,
        session: {
          open,
          high: Math.max(open, value),
          low: Math.min(open, value),
          close: value,
          previous_close: prevClose,
          change: Math.round((value - prevClose) * 100) / 100,
          change_percent: Math.round(((value - prevClose) / prevClose) * 1e6) / 1e4,
        },
      };
    });
    return { status: 'OK', request_id: requestId, results };
  }

  function marketState(ms: number): { market: string; earlyHours: boolean; afterHours: boolean } {
    const date = etDateOf(ms);
    const s = days.sessionOf(date);
    if (!s) return { market: 'closed', earlyHours: false, afterHours: false };
    const hm = etTimeOf(ms);
    if (hm >= '09:30' && hm < s.closeEt) return { market: 'open', earlyHours: false, afterHours: false };
    if (hm >= '04:00' && hm < '09:30') return { market: 'extended-hours', earlyHours: true, afterHours: false };
    if (hm >= s.closeEt && hm < '20:00') return { market: 'extended-hours', earlyHours: false, afterHours: true };
    return { market: 'closed', earlyHours: false, afterHours: false };
  }

  function marketStatus() {
    const now = clock.now();
    const st = marketState(now);
    const exch = st.market === 'open' ? 'open' : st.market === 'extended-hours' ? 'extended-hours' : 'closed';
    const idx = st.market === 'open' ? 'open' : 'closed';
    return {
      market: st.market,
      serverTime: formatEt(Math.floor((now + clockOffsetMs) / 1000) * 1000),
      earlyHours: st.earlyHours,
      afterHours: st.afterHours,
      exchanges: { nyse: exch, nasdaq: exch, otc: exch },
      currencies: { fx: 'open', crypto: 'open' },
      indicesGroups: { s_and_p: idx, nasdaq: idx, dow_jones: idx },
    };
  }

  const SPAN_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000 };

  function aggs(
    ticker: string,
    mult: number,
    timespan: string,
    fromText: string,
    toText: string,
    url: URL,
    requestId: string,
    reply: (code: number, body: unknown) => void,
  ): void {
    if (!(symbols as readonly string[]).includes(ticker)) {
      reply(200, { ticker, status: 'OK', queryCount: 0, resultsCount: 0, request_id: requestId, results: [] });
      return;
    }
    if (!(mult >= 1) || !(timespan in SPAN_MS || timespan === 'day')) {
      reply(400, { status: 'ERROR', request_id: requestId, error: `unsupported range ${mult}/${timespan}` });
      return;
    }
    const fromMs = boundMs(fromText, false);
    const toMs = boundMs(toText, true);
    const limit = Math.min(50_000, Math.max(1, Number(url.searchParams.get('limit') ?? 5000) || 5000));
    const sym = ticker as IndexSymbol;
    const results: { o: number; h: number; l: number; c: number; t: number }[] = [];
    for (let date = etDateOf(fromMs); etToMs(date, '00:00') <= toMs; date = nextDate(date)) {
      const s = days.sessionOf(date);
      if (!s) continue;
      const path = days.path(sym, date);
      const open = etToMs(date, '09:30');
      const close = etToMs(date, s.closeEt);
      const span = timespan === 'day' ? close - open + 1000 : SPAN_MS[timespan]! * mult;
      let cur: { o: number; h: number; l: number; c: number; t: number } | null = null;
      // Samples at each second of the session; a bar covers [t, t + span).
      for (let t = open; t < close; t += 1000) {
        if (t < fromMs || t > toMs) continue;
        const v = path.valueAt(t);
        const bucket = timespan === 'day' ? open : Math.floor(t / span) * span;
        if (!cur || cur.t !== bucket) {
          if (cur) results.push(cur);
          cur = { o: v, h: v, l: v, c: v, t: bucket };
        } else {
          cur.h = Math.max(cur.h, v);
          cur.l = Math.min(cur.l, v);
          cur.c = v;
        }
      }
      if (cur) results.push(cur);
    }
    if (url.searchParams.get('sort') === 'desc') results.reverse();
    const out = results.slice(0, limit);
    reply(200, { ticker, status: 'OK', queryCount: out.length, resultsCount: out.length, request_id: requestId, results: out });
  }

  function boundMs(text: string, end: boolean): number {
    if (/^\d+$/.test(text)) return Number(text);
    assertDate(text);
    return end ? etToMs(nextDate(text), '00:00') - 1 : etToMs(text, '00:00');
  }

  const nextDate = (date: string) => addDays(date, 1);

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
  scheduleTick();

  const forEachAuthed = (fn: (c: Client) => void) => {
    for (const c of clients.values()) if (c.authenticated) fn(c);
  };

  const sendRaw = (text: string) => forEachAuthed((c) => c.ws.readyState === c.ws.OPEN && c.ws.send(text));

  const sim: MassiveSim = {
    wsUrl: `ws://${host}:${port}/indices`,
    restUrl: `http://${host}:${port}`,
    port,
    log,
    violations,
    clients: () => [...clients.values()].map((c) => ({ id: c.id, connectedAt: c.connectedAt, authenticated: c.authenticated, subscriptions: [...c.subs] })),
    connectionTimes: () => [...connTimes],
    restRequests: () => restCount,
    valueAt,
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    stall(opts = {}) {
      stalled = true;
      keepPongs = opts.keepPongs ?? false;
      stalledAt = clock.now();
    },
    resume() {
      stalled = false;
      stalledAt = null;
    },
    get stalled() {
      return stalled;
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
      rejectingAuth = on;
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
      restFail = { status: statusCode, count, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },
    setNotEntitled(ticker: string, on: boolean) {
      if (on) notEntitled.add(ticker);
      else notEntitled.delete(ticker);
    },
    async close() {
      closed = true;
      if (tickTimer) clock.clearTimeout(tickTimer);
      for (const c of clients.values()) {
        if (c.authTimer) clock.clearTimeout(c.authTimer);
        c.ws.terminate();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}
