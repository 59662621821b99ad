/**
 * The REST side of the Massive simulator (server.ts serves it beside the websocket; protocol per reference
 * polygon_massive.md §2): `Authorization: Bearer <key>` required (else 401), then `/v3/snapshot/indices`,
 * `/v1/marketstatus/now` and `/v2/aggs/ticker/{ticker}/range/{mult}/{timespan}/{from}/{to}`, each from the
 * same seeded paths the websocket streams; injected REST error statuses and `NOT_ENTITLED` rows come from the
 * switches in sim-state.ts. Its own file so the routes read apart from the websocket handshake (ws-feed.ts).
 */
import type http from 'node:http';
import type { IndexSymbol } from '../../core/series.ts';
import { addDays, etDateOf, etTimeOf, etToMs, formatEt, assertDate } from '../../core/time/et.ts';
import type { MassiveSimState } from './sim-state.ts';

const NAMES: Record<IndexSymbol, string> = { 'I:SPX': 'Standard & Poor\'s 500', 'I:NDX': 'Nasdaq-100' };

/** The request handler of the simulator's HTTP server (the websocket upgrade is server.ts's). */
export function createRestRoutes(state: MassiveSimState): http.RequestListener {
  const { o, clock, tickMs, symbols, days, valueAt } = state;

  const handler: http.RequestListener = (req, res) => {
    state.restCount++;
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const requestId = `sim-${++state.requestSeq}`;
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+/i.test(auth)) {
      reply(401, { status: 'ERROR', request_id: requestId, error: 'API Key was not provided' });
      return;
    }
    if (auth.replace(/^Bearer\s+/i, '') !== o.apiKey) {
      reply(401, { status: 'ERROR', request_id: requestId, error: 'Unknown API Key' });
      return;
    }
    const restFail = state.restFail;
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
  };

  /** Time of the last tick the feed would have produced (frozen while stalled). */
  const lastUpdateMs = () => {
    const t = state.stalled && state.stalledAt !== null ? state.stalledAt : clock.now();
    return Math.floor(t / tickMs) * tickMs + state.clockOffsetMs;
  };

  function snapshot(url: URL, requestId: string) {
    const list = (url.searchParams.get('ticker.any_of') ?? url.searchParams.get('ticker') ?? symbols.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const at = lastUpdateMs();
    const results = list.map((ticker) => {
      if (!(symbols as readonly string[]).includes(ticker)) return { ticker, error: 'NOT_FOUND', message: 'Ticker not found.' };
      if (state.notEntitled.has(ticker)) return { ticker, error: 'NOT_ENTITLED', message: 'Not entitled to this ticker.' };
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
      serverTime: formatEt(Math.floor((now + state.clockOffsetMs) / 1000) * 1000),
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

  return handler;
}
