/**
 * Minute bars for `calibrate --from/--to` from Massive REST aggregates
 * (`GET /v2/aggs/ticker/{I:SPX}/range/1/minute/{from}/{to}`, through the shared MassiveRestClient: bearer
 * auth, zod-validated bodies, key never in messages). The range is fetched in 30-day chunks so no response
 * nears the 50 000-bar limit; a full response is treated as truncated (error), never silently short.
 * Transient failures (unreachable, 429, 5xx) are retried with backoff on the injected clock.
 * `fetchDailyCloses`: the daily aggregates of the same range (`range/1/day`), whose close is the day's
 * official close — what `calibrate` fits residual_std from (the gap to the last minute bar).
 */
import type { Clock } from '../../ports/clock.ts';
import type { Bar } from '../../core/calibration/fit.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { addDays, assertDate, etDateOf } from '../../core/time/et.ts';
import { MassiveHttpError, type MassiveRestClient } from '../massive/rest.ts';

export interface FetchBarsOptions {
  client: Pick<MassiveRestClient, 'getIndexAggregates'>;
  clock: Clock;
  symbol: IndexSymbol;
  from: string;
  to: string;
  chunkDays?: number;
  retries?: number;
  limit?: number;
  onChunk?: (from: string, to: string, bars: number) => void;
}

export async function fetchMinuteBars(o: FetchBarsOptions): Promise<Bar[]> {
  assertDate(o.from);
  assertDate(o.to);
  if (o.to < o.from) throw new RangeError(`--to ${o.to} is before --from ${o.from}`);
  const chunk = o.chunkDays ?? 30;
  const limit = o.limit ?? 50_000;
  const out: Bar[] = [];
  for (let start = o.from; start <= o.to; start = addDays(start, chunk)) {
    const endCandidate = addDays(start, chunk - 1);
    const end = endCandidate < o.to ? endCandidate : o.to;
    const rows = await withRetry(o, () => o.client.getIndexAggregates(o.symbol, 1, 'minute', start, end, { limit, sort: 'asc' }));
    if (rows.length >= limit) throw new Error(`Massive aggregates ${start}..${end}: ${rows.length} bars reached the limit; use a shorter chunk`);
    for (const r of rows) out.push({ t: r.t, c: r.c });
    o.onChunk?.(start, end, rows.length);
  }
  out.sort((a, b) => a.t - b.t);
  const dedup: Bar[] = [];
  for (const b of out) {
    if (dedup.length && dedup[dedup.length - 1]!.t === b.t) dedup[dedup.length - 1] = b;
    else dedup.push(b);
  }
  return dedup;
}

/** Official closes by ET date from Massive's daily aggregates (a daily bar's date: ET date of its stamp + 6 h). */
export async function fetchDailyCloses(o: Omit<FetchBarsOptions, 'chunkDays' | 'onChunk'>): Promise<Map<string, number>> {
  assertDate(o.from);
  assertDate(o.to);
  const rows = await withRetry(o, () => o.client.getIndexAggregates(o.symbol, 1, 'day', o.from, o.to, { limit: o.limit ?? 50_000, sort: 'asc' }));
  const out = new Map<string, number>();
  for (const r of rows) out.set(etDateOf(r.t + 6 * 3_600_000), r.c);
  return out;
}

async function withRetry<T>(o: FetchBarsOptions, fn: () => Promise<T>): Promise<T> {
  const retries = o.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof MassiveHttpError) || !e.transient || attempt >= retries) throw e;
      await o.clock.sleep(e.retryAfterMs ?? 1000 * 2 ** attempt);
    }
  }
}
