/**
 * The websocket side of the Massive simulator (server.ts serves it at `/indices`; protocol per reference
 * polygon_massive.md §1): `connected` on open → `auth` checked against the key (`auth_success` /
 * `auth_failed` + close) → `subscribe` acknowledged per item; subscribing before auth gets `auth_required`.
 * Every `tickIntervalMs` of clock time each authenticated client receives one frame with all its subscribed
 * events (V ticks; A per-tick bars; AM bars on minute boundaries). Its own file so the handshake and the tick
 * fan-out read apart from the REST routes (rest-routes.ts); the fault switches it obeys are in sim-state.ts.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { TimerHandle } from '../../ports/clock.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { etDateOf, etToMs } from '../../core/time/et.ts';
import type { Client, MassiveSimState } from './sim-state.ts';

export interface MassiveWsFeed {
  readonly wss: WebSocketServer;
  /** A status frame to one client, then close 1008 with it. */
  kick(c: Client, s: string, message: string): void;
  /** Starts the tick timer (aligned to `tickIntervalMs` of clock time). */
  scheduleTick(): void;
  /** Stops the ticks and every client (auth timers, sockets) and closes the websocket server. */
  close(): Promise<void>;
}

export function createWsFeed(st: MassiveSimState): MassiveWsFeed {
  const { o, clock, tickMs, symbols, clients, valueAt } = st;
  let lastMinute = -1;
  let tickTimer: TimerHandle | undefined;

  const send = (c: Client, events: object[]) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(events));
  };
  const status = (s: string, message: string) => ({ ev: 'status', status: s, message });
  const record = (clientId: number, kind: string, detail?: string) => st.log.push({ at: clock.now(), clientId, kind, ...(detail !== undefined ? { detail } : {}) });

  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket) => {
    const c: Client = { id: st.nextClientId++, ws, connectedAt: clock.now(), authenticated: false, subs: new Set(), authTimer: undefined };
    clients.set(c.id, c);
    st.connTimes.push(c.connectedAt);
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
      if (!st.stalled || st.keepPongs) ws.pong(data);
    });
    ws.on('message', (data: Buffer) => onClientMessage(c, data.toString('utf8')));
    ws.on('close', () => {
      if (c.authTimer) clock.clearTimeout(c.authTimer);
      clients.delete(c.id);
      record(c.id, 'close');
    });
    ws.on('error', () => {});
    if (!st.stalled) send(c, [status('connected', 'Connected Successfully')]);
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
        if (st.rejectingAuth || params !== o.apiKey) {
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
          st.violations.push(`${msg.action}_before_auth`);
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

  function onTick(): void {
    tickTimer = undefined;
    if (st.closed) return;
    const now = clock.now();
    const minute = Math.floor(now / 60_000);
    const minuteClosed = lastMinute !== -1 && minute !== lastMinute;
    if (!st.stalled) {
      for (const c of clients.values()) {
        if (!c.authenticated || c.subs.size === 0) continue;
        const events: object[] = [];
        for (const sym of symbols) {
          const open = valueAt(sym, etToMs(etDateOf(now), '09:30'));
          if (wants(c, 'V', sym)) events.push({ ev: 'V', val: valueAt(sym, now), T: sym, t: now + st.clockOffsetMs });
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

  return {
    wss,
    kick,
    scheduleTick,
    async close() {
      if (tickTimer) clock.clearTimeout(tickTimer);
      for (const c of clients.values()) {
        if (c.authTimer) clock.clearTimeout(c.authTimer);
        c.ws.terminate();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
