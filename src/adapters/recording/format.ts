/**
 * The recording format (`--record`, SPEC §9): one gzip-compressed JSON-lines file per trading day.
 *
 *   line 1   {"kalshi_alpha_recording":1,"date":"2026-11-20","created_ms":…}
 *   meta     {"t":…,"meta":{…}}            what the run was: source, seed, endpoints, feed kinds, config, run options
 *   ws       {"t":…,"s":"kalshi-ws","w":"<frame text>"[,"a":1]}
 *   http     {"t":…,"s":"kalshi-rest","m":"GET","p":"/events?…","c":200,"b":"<body>"[,"a":1]}
 *   end      {"t":…,"end":true,"entries":N}  written when the day closes (its absence: the file was cut short)
 *
 * `t` is the receipt time on the run's clock (epoch ms); `a: 1` marks a message received after the timers
 * due at that same millisecond had fired (the replay orders it after them). Frames and bodies are kept as
 * the exact text received (a JSON string), so the replay feeds the real parsers the very bytes a live run
 * saw; gzip takes the repetition out (a simulated day of both index feeds at 4 Hz, the Kalshi websocket and
 * REST is a few MB). Why JSON lines: appendable while the day runs, readable with zcat/jq, and one bad
 * line costs one line (each is validated on its own and reported with its number).
 */
import { z } from 'zod';

export const RECORDING_VERSION = 1;
export const TAP_SOURCES = ['kalshi-ws', 'kalshi-rest', 'polygon', 'massive', 'massive-rest'] as const;

const t = z.number().int().nonnegative();
const Source = z.enum(TAP_SOURCES);

export const HeaderSchema = z.object({ kalshi_alpha_recording: z.literal(RECORDING_VERSION), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), created_ms: t }).strict();
export const WsEntrySchema = z.object({ t, s: Source, w: z.string(), a: z.literal(1).optional() }).strict();
export const HttpEntrySchema = z
  .object({ t, s: Source, m: z.enum(['GET', 'POST', 'DELETE']), p: z.string().startsWith('/'), c: z.number().int().min(0).max(599), b: z.string(), a: z.literal(1).optional() })
  .strict();
export const MetaEntrySchema = z.object({ t, meta: z.record(z.string(), z.unknown()) }).strict();
export const EndEntrySchema = z.object({ t, end: z.literal(true), entries: z.number().int().nonnegative() }).strict();
export const EntrySchema = z.union([WsEntrySchema, HttpEntrySchema, MetaEntrySchema, EndEntrySchema]);

export type RecordingHeader = z.infer<typeof HeaderSchema>;
export type WsEntry = z.infer<typeof WsEntrySchema>;
export type HttpEntry = z.infer<typeof HttpEntrySchema>;
export type MetaEntry = z.infer<typeof MetaEntrySchema>;
export type EndEntry = z.infer<typeof EndEntrySchema>;
export type Entry = z.infer<typeof EntrySchema>;

/** What a recorded run was (merged from every meta line). */
export const RecordingMetaSchema = z.object({
  source: z.enum(['sim', 'online', 'offline', 'replay']).optional(),
  seed: z.number().int().optional(),
  /**
   * A simulated run's world kind: its day so far (the minute values before the first tick) and its events
   * (the adaptive σ's uplift) are not on the wire, so the replay rebuilds them from seed and world.
   * Absent in recordings from before the regime world: classic.
   */
  world: z.enum(['regime', 'classic']).optional(),
  kalshi: z.object({ rest_base: z.string(), ws_url: z.string() }).optional(),
  feeds: z.object({ polygon: z.enum(['ws', 'rest']), massive: z.enum(['ws', 'rest']) }).optional(),
  /** The configs/index_ops.yaml of the run (validated again by the replay). */
  config: z.unknown().optional(),
  /** The supervisor's options that shape its timeline. */
  run: z
    .object({
      ref_now_ms: t,
      loop: z.boolean(),
      only: z.array(z.string()).optional(),
      series: z.array(z.string()).optional(),
      settle: z.boolean(),
      open_lead_ms: t,
      sleep_seconds: z.number().nonnegative(),
      preflight_retry_ms: t,
      clock: z.enum(['stepped', 'virtual', 'system']),
    })
    .optional(),
});
export type RecordingMeta = z.infer<typeof RecordingMetaSchema>;

export const isWs = (e: Entry): e is WsEntry => 'w' in e;
export const isHttp = (e: Entry): e is HttpEntry => 'm' in e;
export const isMeta = (e: Entry): e is MetaEntry => 'meta' in e;
export const isEnd = (e: Entry): e is EndEntry => 'end' in e;
