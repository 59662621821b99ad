/**
 * The dashboard's HTTP server (SPEC §8): hono on @hono/node-server.
 *
 * - `GET /`: the page (hand-written HTML/JS/CSS in ./assets, uPlot served from node_modules at runtime:
 *   no build step). `GET /events`: server-sent events, one `update` a second carrying the sections of the
 *   view that changed since that page's last update (the first one carries all). `GET /api/state`: the
 *   whole view as JSON. `GET /metrics`: Prometheus text. `GET /healthz`: `ok`.
 * - Binds 127.0.0.1 by default. Any other address needs a token, and with a token every request must
 *   carry it (`Authorization: Bearer <token>`, or `?token=` for the page, its assets and the event
 *   stream). Without a token only loopback Host headers are served (no DNS-rebinding reads from a page
 *   on another site).
 * - Reads files only (see view.ts); one refresh serves every open page and the scrape.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { packageRoot } from '../config/package-root.ts';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { serve } from '@hono/node-server';
import { DashboardData, type DashboardDataOptions, type DashboardView } from './view.ts';
import { DashboardMetrics } from './metrics.ts';

export interface DashboardOptions extends DashboardDataOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Real milliseconds between pushes (default 1000). */
  pushIntervalMs?: number;
  /** Export the dashboard process's default Node metrics (default true). */
  defaultMetrics?: boolean;
}

export interface RunningDashboard {
  url: string;
  host: string;
  port: number;
  /** Open event streams. */
  clients(): number;
  /** Ends every event stream and stops the server. */
  close(): Promise<void>;
}

export class DashboardConfigError extends Error {
  override name = 'DashboardConfigError';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Hostname of a Host header (`127.0.0.1:8787`, `[::1]:8787`, `localhost`). */
function hostnameOf(hostHeader: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (m) return m[1]!;
  return hostHeader.replace(/:\d+$/, '');
}

function tokenEquals(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

const ASSETS_DIR = path.join(packageRoot(), 'src', 'dashboard', 'assets');
const requireFromHere = createRequire(import.meta.url);

interface Asset {
  body: string;
  type: string;
}

function loadAssets(): Record<string, Asset> {
  const own = (name: string, type: string): Asset => ({ body: fs.readFileSync(path.join(ASSETS_DIR, name), 'utf8'), type });
  const uplot = (name: string, type: string): Asset => ({ body: fs.readFileSync(requireFromHere.resolve(`uplot/dist/${name}`), 'utf8'), type });
  return {
    'index.html': own('index.html', 'text/html; charset=utf-8'),
    'app.js': own('app.js', 'text/javascript; charset=utf-8'),
    'app.css': own('app.css', 'text/css; charset=utf-8'),
    'uPlot.iife.min.js': uplot('uPlot.iife.min.js', 'text/javascript; charset=utf-8'),
    'uPlot.min.css': uplot('uPlot.min.css', 'text/css; charset=utf-8'),
  };
}

const SECTIONS = ['meta', 'supervisor', 'timeline', 'feeds', 'safety', 'orders', 'ledger', 'pnl', 'reliability', 'incidents', 'monitors', 'errors'] as const;
type Section = (typeof SECTIONS)[number];

interface Client {
  stream: SSEStreamingApi;
  sent: Map<Section, string>;
  writing: boolean;
  done: () => void;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token;
  if (token !== undefined && token.length === 0) throw new DashboardConfigError('--token must not be empty');
  if (!isLoopbackHost(host) && token === undefined) {
    throw new DashboardConfigError(`--host ${host} is not a loopback address: give --token (every request must then carry it)`);
  }
  const assets = loadAssets();
  const data = new DashboardData(o);
  const metrics = new DashboardMetrics({ defaultMetrics: o.defaultMetrics });
  const clients = new Set<Client>();
  let view: DashboardView | undefined;
  let viewAt = 0;
  // One refresh serves every page and scrape within `maxAgeMs` of real time (a throttle, so the process
  // clock and not the injected `now`, which a test may hold still).
  const refresh = (maxAgeMs: number): DashboardView => {
    const now = Date.now();
    if (!view || now - viewAt >= maxAgeMs) {
      view = data.refresh();
      viewAt = now;
    }
    return view;
  };

  const app = new Hono();
  app.use('*', async (c, next) => {
    if (token !== undefined) {
      const auth = c.req.header('authorization');
      const bearer = auth && /^Bearer\s+(.+)$/i.exec(auth)?.[1];
      const given = bearer ?? c.req.query('token');
      if (given === undefined || !tokenEquals(given, token)) {
        return c.text('unauthorized: this dashboard needs its token (Authorization: Bearer <token>, or ?token=)\n', 401, { 'WWW-Authenticate': 'Bearer' });
      }
    } else {
      const h = c.req.header('host');
      const name = h ? hostnameOf(h) : '';
      if (!isLoopbackHost(name) && name !== host) return c.text('forbidden: unexpected Host header\n', 403);
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });

  const tokenQs = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const page = assets['index.html']!.body.replaceAll('__TOKEN_QS__', escapeHtml(tokenQs));
  app.get('/', (c) =>
    c.body(page, 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    }),
  );
  app.get('/assets/:name', (c) => {
    const a = assets[c.req.param('name')];
    if (!a || c.req.param('name') === 'index.html') return c.text('not found\n', 404);
    return c.body(a.body, 200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache' });
  });
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/api/state', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(refresh(250));
  });
  app.get('/metrics', async (c) => {
    const v = refresh(250);
    metrics.update({ view: v, snapshot: data.lastSnapshot });
    return c.body(await metrics.text(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  });
  app.get('/events', (c: Context) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const client: Client = { stream, sent: new Map(), writing: false, done };
      clients.add(client);
      stream.onAbort(() => {
        clients.delete(client);
        done();
      });
      await push(client, refresh(250));
      await finished;
      clients.delete(client);
    });
  });
  app.notFound((c) => c.text('not found\n', 404));
  app.onError((e, c) => c.text(`dashboard error: ${e.message}\n`, 500));

  async function push(client: Client, v: DashboardView): Promise<void> {
    if (client.writing || client.stream.aborted || client.stream.closed) return;
    const changed: Partial<Record<Section, unknown>> = {};
    for (const name of SECTIONS) {
      const json = JSON.stringify(v[name]);
      if (name === 'meta' || client.sent.get(name) !== json) {
        changed[name] = v[name];
        client.sent.set(name, json);
      }
    }
    client.writing = true;
    try {
      await client.stream.writeSSE({ event: 'update', data: JSON.stringify(changed) });
    } catch {
      clients.delete(client);
      client.done();
    } finally {
      client.writing = false;
    }
  }

  const interval = setInterval(() => {
    if (clients.size === 0) return;
    let v: DashboardView;
    try {
      v = refresh(0);
    } catch {
      return; // refresh never throws by design; belt and braces for the timer
    }
    for (const client of [...clients]) void push(client, v);
  }, o.pushIntervalMs ?? 1000);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 8787 }) as Server;
    s.once('error', reject);
    s.once('listening', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${urlHost}:${addr.port}/`,
    host: addr.address,
    port: addr.port,
    clients: () => clients.size,
    async close() {
      clearInterval(interval);
      for (const client of [...clients]) {
        clients.delete(client);
        try {
          await client.stream.close();
        } catch {
          // already gone
        }
        client.done();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
