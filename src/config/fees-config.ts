/**
 * `configs/fees.json` (SPEC §5.4): the offline fee schedule — per series a history of
 * `{from, fee_type, fee_multiplier}` (the entry in force is the latest `from` ≤ the instant), plus optional
 * per-event overrides (as the API's `fee_type_override` / `fee_multiplier_override`). Online runs read the
 * same facts from the series/event objects; this file is for offline runs and `price`.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { FeeSchedule } from '../core/market.ts';
import { lookupSeries } from '../core/series.ts';
import { ConfigError, describeZodIssue } from './index-ops.ts';

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
  } catch {
    throw new ConfigError(`${file}: not valid JSON`);
  }
  const r = FeesSchema.safeParse(doc);
  if (!r.success) throw new ConfigError(describeZodIssue(file, r.error));
  const series = new Map<string, { fromMs: number; schedule: FeeSchedule }[]>();
  for (const [key, list] of Object.entries(r.data.series)) {
    const info = lookupSeries(key);
    const ticker = info ? info.ticker : key.toUpperCase();
    series.set(
      ticker,
      list.map((e) => ({ fromMs: Date.parse(e.from), schedule: { feeType: e.fee_type, multiplier: e.fee_multiplier } })).sort((a, b) => a.fromMs - b.fromMs),
    );
  }
  const events = new Map<string, { feeType?: string; multiplier?: number }>();
  for (const [k, v] of Object.entries(r.data.events)) {
    events.set(k.toUpperCase(), {
      ...(v.fee_type_override !== undefined ? { feeType: v.fee_type_override } : {}),
      ...(v.fee_multiplier_override !== undefined ? { multiplier: v.fee_multiplier_override } : {}),
    });
  }
  return { series, events };
}

export function loadFeesConfig(file: string, displayName = 'configs/fees.json'): FeesConfig | null {
  if (!fs.existsSync(file)) return null;
  return parseFeesConfig(fs.readFileSync(file, 'utf8'), displayName);
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
