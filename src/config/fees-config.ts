/**
 * `configs/fees.json` (SPEC §5.4): the offline fee schedule — per series a history of
 * `{from, fee_type, fee_multiplier}` (the entry in force is the latest `from` ≤ the instant), plus optional
 * per-event overrides (as the API's `fee_type_override` / `fee_multiplier_override`). Online runs read the
 * same facts from the series/event objects; this file is for offline runs and `price`.
 */
import { z } from 'zod';
import type { FeeSchedule } from '../core/market.ts';
import { FeeRuleError, feeRule } from '../core/fees.ts';
import { lookupSeries, seriesOfTicker } from '../core/series.ts';
import { ConfigError, describeZodIssue, keyText, readConfigFile } from './yaml-config.ts';

const FeeType = z.enum(['quadratic', 'quadratic_with_maker_fees', 'quadratic_with_combo_maker_fees', 'flat']);
const Multiplier = z.number().nonnegative().refine(Number.isFinite, 'must be finite');

const FeesSchema = z
  .object({
    $comment: z.string().optional(),
    series: z.record(
      z.string().min(1),
      z
        .array(z.object({ from: z.iso.datetime({ offset: true }), fee_type: FeeType, fee_multiplier: Multiplier, source: z.string().optional() }).strict())
        .min(1),
    ),
    events: z
      .record(z.string().min(1), z.object({ fee_type_override: FeeType.optional(), fee_multiplier_override: Multiplier.optional() }).strict())
      .default({}),
  })
  .strict();

export interface FeesConfig {
  /** Per API series ticker (KX…), ascending by `fromMs`. */
  series: Map<string, { fromMs: number; schedule: FeeSchedule }[]>;
  events: Map<string, { feeType?: string; multiplier?: number }>;
}

export function parseFeesConfig(text: string, file = 'configs/fees.json'): FeesConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = FeesSchema.safeParse(doc);
  if (!r.success) throw new ConfigError(describeZodIssue(file, r.error));
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${file}: ${key}: ${message}`);
  };
  /** The fee arithmetic is exact in 10⁻⁶ of the multiplier: a finer value would only fail later, per order. */
  const checkMultiplier = (m: number, key: string) => {
    try {
      feeRule({ feeType: 'quadratic', multiplier: m }, 'taker');
    } catch (e) {
      if (e instanceof FeeRuleError) fail(key, `${m} is not a multiple of 0.000001`);
      throw e;
    }
  };
  const series = new Map<string, { fromMs: number; schedule: FeeSchedule }[]>();
  const keyOf = new Map<string, string>();
  for (const [rawKey, list] of Object.entries(r.data.series)) {
    const key = keyText(rawKey);
    const info = lookupSeries(rawKey);
    if (!info) fail(`series.${key}`, 'unknown series (expected INXU, NASDAQ100U, INX, NASDAQ100 or their KX tickers)');
    const ticker = info!.ticker;
    const other = keyOf.get(ticker);
    if (other !== undefined) fail(`series.${key}`, `the same series as series.${other}`);
    keyOf.set(ticker, key);
    const instants = new Map<number, number>();
    list.forEach((e, i) => {
      checkMultiplier(e.fee_multiplier, `series.${key}.${i}.fee_multiplier`);
      const ms = Date.parse(e.from);
      const j = instants.get(ms);
      if (j !== undefined) fail(`series.${key}.${i}.from`, `the same instant as series.${key}.${j}.from`);
      instants.set(ms, i);
    });
    series.set(
      ticker,
      list.map((e) => ({ fromMs: Date.parse(e.from), schedule: { feeType: e.fee_type, multiplier: e.fee_multiplier } })).sort((a, b) => a.fromMs - b.fromMs),
    );
  }
  const events = new Map<string, { feeType?: string; multiplier?: number }>();
  for (const [k, v] of Object.entries(r.data.events)) {
    if (!seriesOfTicker(k)) fail(`events.${keyText(k)}`, 'not an event ticker of INXU, NASDAQ100U, INX or NASDAQ100 (e.g. KXINXU-26NOV20H1000)');
    if (v.fee_type_override === undefined && v.fee_multiplier_override === undefined) {
      fail(`events.${keyText(k)}`, 'give fee_type_override and/or fee_multiplier_override');
    }
    if (v.fee_multiplier_override !== undefined) checkMultiplier(v.fee_multiplier_override, `events.${keyText(k)}.fee_multiplier_override`);
    if (events.has(k.toUpperCase())) fail(`events.${keyText(k)}`, 'listed twice (event tickers are not case-sensitive)');
    events.set(k.toUpperCase(), {
      ...(v.fee_type_override !== undefined ? { feeType: v.fee_type_override } : {}),
      ...(v.fee_multiplier_override !== undefined ? { multiplier: v.fee_multiplier_override } : {}),
    });
  }
  return { series, events };
}

export function loadFeesConfig(file: string, displayName = 'configs/fees.json'): FeesConfig | null {
  const text = readConfigFile(file, displayName);
  return text === undefined ? null : parseFeesConfig(text, displayName);
}

/** The schedule in force for a series (code or KX ticker) at an instant, with any event override applied. */
export function feeScheduleAt(cfg: FeesConfig, series: string, atMs: number, eventTicker?: string): FeeSchedule | undefined {
  const info = lookupSeries(series);
  const list = cfg.series.get(info ? info.ticker : series.toUpperCase());
  let found: FeeSchedule | undefined;
  for (const e of list ?? []) if (e.fromMs <= atMs) found = e.schedule;
  if (!found) return undefined;
  const o = eventTicker ? cfg.events.get(eventTicker.toUpperCase()) : undefined;
  return o ? { feeType: o.feeType ?? found.feeType, multiplier: o.multiplier ?? found.multiplier } : found;
}
