/**
 * The Kalshi exchange simulator on loopback (SPEC §9): the Trade API v2 REST paths and the websocket at
 * `/trade-api/ws/v2`, with the real shapes and error bodies, RSA-PSS signature verification against a
 * configured public key (401 on a bad or stale signature), and test controls for faults.
 *
 * This file is the server: it reads each request, injects the configured faults, checks the signature
 * (request-auth.ts) and hands the request to the routes (rest-routes.ts); it upgrades `/trade-api/ws/v2` to a
 * websocket session (ws-session.ts) fed by the exchange's events, pings, and holds the test controls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { SimExchange, SimRejection, type BookSide, type SimExchangeOptions, type SimOrder } from './exchange.ts';
import { createAuthenticator } from './request-auth.ts';
import { createRestRoutes, errBody, HttpError } from './rest-routes.ts';
import { SimWsSession } from './ws-session.ts';

export const REST_PREFIX = '/trade-api/v2';
export const WS_PATH = '/trade-api/ws/v2';

export interface KalshiSimOptions extends Omit<SimExchangeOptions, 'clock' | 'seed' | 'dateEt'> {
  clock: Clock;
  seed: number;
  dateEt: string;
  /** PEM of the API key's public key (SPKI or PKCS#1; a private PEM also works). */
  publicKeyPem: string;
  /** When set, only this key id is accepted. */
  apiKeyId?: string;
  host?: string;
  port?: number;
  /** Signatures older/newer than this (vs the sim clock) are rejected. Default 30 s. */
  signatureMaxSkewMs?: number;
  /**
   * Clock that signature timestamps are checked against (default: the sim clock). Clients that sign with
   * wall time (e.g. the official SDK) talk to a virtual-time sim when this is a SystemClock.
   */
  signatureClock?: Clock;
  /** Server ping period (the exchange pings every 10 s). */
  pingIntervalMs?: number;
}

interface Fault {
  kind: '429' | '5xx';
  status: number;
  pathPrefix?: string;
  when: 'before' | 'after' | 'drop';
}

export interface KalshiSimControls {
  /** The next `count` REST requests (optionally only under `pathPrefix`, e.g. `/markets`) answer 429. */
  inject429(count: number, opts?: { pathPrefix?: string }): void;
  /**
   * The next `count` matching REST requests fail with `status` (default 503). `when: 'after'` executes the
   * request first and then answers 500 (lost response); `'drop'` executes it and closes the connection.
   */
  inject5xx(count: number, opts?: { status?: number; pathPrefix?: string; when?: 'before' | 'after' | 'drop' }): void;
  /** Terminates every open websocket. */
  dropSockets(): void;
  /** Sends a raw text frame (e.g. a malformed one) on every open websocket. */
  sendRawWs(text: string): void;
  /** Current websockets stop sending anything, pings included (a dead socket). */
  freezeSockets(): void;
  /** The next message of every matching subscription skips `count` sequence numbers. */
  skipSeq(opts?: { channel?: string; count?: number }): void;
  /** Sends an error frame (e.g. terminal 17) on matching subscriptions and drops them server-side. */
  sendWsError(code: number, opts?: { channel?: string }): void;
  setTradingPaused(paused: boolean): void;
  openSockets(): number;
  /**
   * Places an order for the account `keyId` the way the web app or FIX would: outside the V2 REST API and
   * without a self-trade prevention type, so it reads back with `self_trade_prevention_type: null`.
   */
  placeOrderOutsideApi(keyId: string, order: { ticker: string; side: BookSide; price: string; count: string; client_order_id?: string }): SimOrder;
}

export interface KalshiSimStats {
  requests: { method: string; path: string; status: number }[];
  wsHandshakes: number;
  wsRejected: number;
}

export interface KalshiSim {
  restBase: string;
  wsUrl: string;
  port: number;
  exchange: SimExchange;
  controls: KalshiSimControls;
  stats: KalshiSimStats;
  close(): Promise<void>;
}


export async function startKalshiSim(o: KalshiSimOptions): Promise<KalshiSim> {
  const clock = o.clock;
  const authenticate = createAuthenticator({ ...o, clock });
  const exchange = new SimExchange({ ...o, clock });
  const route = createRestRoutes(exchange, clock);
  const faults: Fault[] = [];
  const sessions = new Set<SimWsSession>();
  const stats: KalshiSimStats = { requests: [], wsHandshakes: 0, wsRejected: 0 };

  const takeFault = (path: string): Fault | undefined => {
    const i = faults.findIndex((f) => !f.pathPrefix || path.startsWith(f.pathPrefix));
    return i >= 0 ? faults.splice(i, 1)[0] : undefined;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_000_000) chunks.push(c);
    });
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const send = (status: number, body: unknown) => {
        stats.requests.push({ method, path: url.pathname, status });
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      try {
        if (!url.pathname.startsWith(REST_PREFIX + '/')) throw new HttpError(404, errBody('not_found', 'not found'));
        if (size > 1_000_000) throw new HttpError(413, errBody('invalid_parameters', 'body too large'));
        const path = url.pathname.slice(REST_PREFIX.length);
        const fault = takeFault(path);
        if (fault?.kind === '429') return send(429, { error: 'too many requests' });
        if (fault && fault.when === 'before') {
          return send(fault.status, { exchange_active: true, trading_active: true, exchange_estimated_resume_time: null });
        }
        const isPrivate = path.startsWith('/portfolio');
        const owner = authenticate(method, url.pathname, req.headers, isPrivate);
        let body: unknown;
        if (chunks.length) {
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            throw new HttpError(400, errBody('invalid_parameters', 'body is not valid JSON'));
          }
        }
        const [status, payload] = route(method, path, url.searchParams, body, owner);
        if (fault?.when === 'after') return send(500, errBody('internal_server_error', 'internal server error'));
        if (fault?.when === 'drop') {
          stats.requests.push({ method, path: url.pathname, status: 0 });
          req.socket.destroy();
          return;
        }
        send(status, payload);
      } catch (e) {
        if (e instanceof HttpError) return send(e.status, e.body);
        if (e instanceof SimRejection) return send(e.e.status, errBody(e.e.code, e.e.message, e.e.details));
        send(500, errBody('internal_server_error', 'internal server error'));
      }
    });
  });

  // ---------------- websocket ----------------

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const reject = (status: number, text: string) => {
      stats.wsRejected++;
      const body = JSON.stringify(errBody(status === 404 ? 'not_found' : 'unauthorized', text));
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Unauthorized'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (url.pathname !== WS_PATH) return reject(404, 'not found');
    let owner: string | undefined;
    try {
      owner = authenticate('GET', url.pathname, req.headers, true);
    } catch (e) {
      return reject(401, e instanceof HttpError ? ((e.body as { error: { message: string } }).error.message) : 'unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      stats.wsHandshakes++;
      const session = new SimWsSession(ws, owner!, exchange);
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
      ws.on('error', () => sessions.delete(session));
    });
  });
  exchange.on((e) => {
    for (const s of sessions) s.deliver(e);
  });

  let pingTimer: TimerHandle | undefined;
  const pingEvery = o.pingIntervalMs ?? 10_000;
  let closed = false;
  const schedulePing = () => {
    pingTimer = clock.setTimeout(() => {
      if (closed) return;
      for (const s of sessions) s.ping();
      schedulePing();
    }, pingEvery);
  };
  schedulePing();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  const controls: KalshiSimControls = {
    inject429: (count, opts = {}) => {
      for (let i = 0; i < count; i++) faults.push({ kind: '429', status: 429, pathPrefix: opts.pathPrefix, when: 'before' });
    },
    inject5xx: (count, opts = {}) => {
      for (let i = 0; i < count; i++) faults.push({ kind: '5xx', status: opts.status ?? 503, pathPrefix: opts.pathPrefix, when: opts.when ?? 'before' });
    },
    dropSockets: () => {
      for (const s of sessions) s.ws.terminate();
    },
    freezeSockets: () => {
      for (const s of sessions) s.frozen = true;
    },
    skipSeq: (opts = {}) => {
      for (const s of sessions) s.skipSeq(opts.channel, opts.count ?? 1);
    },
    sendWsError: (code, opts = {}) => {
      for (const s of sessions) s.sendError(code, opts.channel);
    },
    setTradingPaused: (paused) => {
      exchange.manualPause = paused;
    },
    openSockets: () => sessions.size,
    sendRawWs: (text) => {
      for (const s of sessions) if (s.ws.readyState === s.ws.OPEN) s.ws.send(text);
    },
    placeOrderOutsideApi: (keyId, order) =>
      exchange.create(keyId, { ...order, time_in_force: 'good_till_canceled', self_trade_prevention_type: null, post_only: true }).order,
  };

  return {
    restBase: `http://${hostPart}:${addr.port}${REST_PREFIX}`,
    wsUrl: `ws://${hostPart}:${addr.port}${WS_PATH}`,
    port: addr.port,
    exchange,
    controls,
    stats,
    async close() {
      if (closed) return;
      closed = true;
      if (pingTimer) clock.clearTimeout(pingTimer);
      exchange.close();
      for (const s of sessions) s.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
