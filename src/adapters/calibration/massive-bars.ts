/**
 * Minute bars for `calibrate --from/--to` from Massive REST aggregates
 * (`GET /v2/aggs/ticker/{I:SPX}/range/1/minute/{from}/{to}`, through the shared MassiveRestClient: bearer
 * auth, zod-validated bodies, key never in messages). The range is fetched in 30-day chunks so no response
 * nears the 50 000-bar limit; a full response is treated as truncated (error), never silently short.
 * Transient failures (unreachable, 429, 5xx) are retried with backoff on the injected clock.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Bar } from '../../core/calibration/fit.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { addDays, assertDate } from '../../core/time/et.ts';
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
