/**
 * `configs/index_ops.yaml` (SPEC §3): optional; every key has a built-in default. Its schema (sections, keys,
 * defaults) is index-ops-schema.ts and the YAML reading is yaml-config.ts; this file loads it, takes a value
 * that is not a file (`replay --set`, a recording's configuration) through the same checks, and holds the
 * checks across keys, above all that the day's windows fit cash hours and never overlap.
 */
import { defaultIndexOps, IndexOpsSchema, type IndexOpsConfig } from './index-ops-schema.ts';
import { ConfigError, describeZodIssue, parseYamlConfig, readConfigFile, type YamlWhere } from './yaml-config.ts';

export { defaultIndexOps, hhmm, IndexOpsSchema, isoDate, type IndexOpsConfig } from './index-ops-schema.ts';
export { ConfigError, describeZodIssue, keyText, parseYamlConfig, parseYamlDocument, printable, readConfigFile, type YamlWhere } from './yaml-config.ts';

export function parseIndexOps(text: string, file = 'configs/index_ops.yaml'): IndexOpsConfig {
  const { data: cfg, where } = parseYamlConfig(text, file, IndexOpsSchema);
  validateCrossFields(cfg, where);
  return cfg;
}

/**
 * The same schema and cross-field checks for a value that is not a file (`replay --set`, a recording's
 * configuration): errors name `label` and the key, with no line or column to give.
 */
export function indexOpsFromValue(value: unknown, label: string): IndexOpsConfig {
  const r = IndexOpsSchema.safeParse(value ?? {});
  if (!r.success) throw new ConfigError(describeZodIssue(label, r.error));
  validateCrossFields(r.data, () => label);
  return r.data;
}

function validateCrossFields(c: IndexOpsConfig, where: YamlWhere): void {
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${where(key)}: ${key}: ${message}`);
  };
  if (c.freshness.strict_ms > c.freshness.soft_ms) {
    fail('freshness.strict_ms', `must not exceed freshness.soft_ms (${c.freshness.soft_ms})`);
  }
  const w = windowsProblem(c.windows);
  if (w) fail(w.key, w.message);
  if (c.quotes.ev_hysteresis_usd > c.quotes.min_ev_usd) {
    // A resting quote is kept down to min_ev − hysteresis: past zero it would keep a losing quote.
    fail('quotes.ev_hysteresis_usd', `must not exceed quotes.min_ev_usd (${c.quotes.min_ev_usd})`);
  }
  if (c.quotes.keep_hysteresis_usd !== undefined && c.quotes.keep_hysteresis_usd > c.quotes.min_ev_usd) {
    // The keep floor is min_ev + margin − this: past min_ev it could keep a quote whose EV went negative.
    fail('quotes.keep_hysteresis_usd', `must not exceed quotes.min_ev_usd (${c.quotes.min_ev_usd})`);
  }
  if (c.kalshi.rest_backoff_base_ms > c.kalshi.rest_backoff_max_ms) {
    fail('kalshi.rest_backoff_base_ms', `must not exceed kalshi.rest_backoff_max_ms (${c.kalshi.rest_backoff_max_ms})`);
  }
  if (c.kalshi.ws_reconnect_base_ms > c.kalshi.ws_reconnect_max_ms) {
    fail('kalshi.ws_reconnect_base_ms', `must not exceed kalshi.ws_reconnect_max_ms (${c.kalshi.ws_reconnect_max_ms})`);
  }
}

// ---- windows section: the day's windows must fit cash hours and never overlap (SPEC §4) ----

/** Cash session of the index (ET, minutes after midnight). */
const OPEN_MIN = 9 * 60 + 30;
const REGULAR_CLOSE_MIN = 16 * 60;
/** NYSE early closes are at 13:00; `configs/calendar.yaml` may announce others (checked there). */
const EARLY_CLOSE_MIN = 13 * 60;
/** Kalshi's hourly events settle on the hour, H1000 … H1500 (H1600 belongs to the close window). */
const FIRST_HOURLY_MIN = 10 * 60;
const LAST_HOURLY_MIN = 15 * 60;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clock = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
/** `at 09:15` for a start on the same day, else `before midnight`. */
const at = (min: number): string => (min >= 0 ? `at ${clock(min)}` : 'before midnight');

export interface WindowsProblem {
  /** Dotted key in configs/index_ops.yaml. */
  key: string;
  message: string;
}

type WindowsSection = IndexOpsConfig['windows'];

/**
 * What is wrong with a `windows` section, or undefined. Hourly targets: distinct, on the hour, within
 * 10:00…15:00, each window starting strictly after the 09:30 open; windows of one day (the close window
 * included) must not overlap, on a regular day and on a 13:00 early close; the strict time lies strictly
 * inside every window (after its start).
 */
export function windowsProblem(w: WindowsSection): WindowsProblem | undefined {
  const seen = new Set<string>();
  for (const t of w.hourly_targets) {
    if (seen.has(t)) return { key: 'windows.hourly_targets', message: `${t} is listed twice` };
    seen.add(t);
    const m = minutesOf(t);
    if (m < FIRST_HOURLY_MIN || m > LAST_HOURLY_MIN) {
      return {
        key: 'windows.hourly_targets',
        message: `${t} is outside cash hours: hourly targets lie in 10:00…15:00 (after the 09:30 open plus the start offset, before the 16:00 close)`,
      };
    }
    if (m % 60 !== 0) return { key: 'windows.hourly_targets', message: `${t} is not on the hour (hourly events settle at HH:00)` };
  }
  const lastEarly = minutesOf(w.early_close_last_hourly);
  if (lastEarly < FIRST_HOURLY_MIN || lastEarly >= EARLY_CLOSE_MIN) {
    return {
      key: 'windows.early_close_last_hourly',
      message: `${w.early_close_last_hourly} is outside 10:00…12:59 (the last hourly target of an early-close day comes before its 13:00 close)`,
    };
  }
  if (w.freeze_offset_seconds >= w.strict_offset_seconds) {
    return { key: 'windows.freeze_offset_seconds', message: 'must be less than windows.strict_offset_seconds' };
  }
  if (w.strict_offset_seconds >= w.hourly_start_offset_minutes * 60) {
    return {
      key: 'windows.strict_offset_seconds',
      message: `${w.strict_offset_seconds} s must be inside the window: less than windows.hourly_start_offset_minutes (${w.hourly_start_offset_minutes} min)`,
    };
  }
  if (w.close_start_offset_minutes * 60 <= w.strict_offset_seconds) {
    return {
      key: 'windows.close_start_offset_minutes',
      message: `${w.close_start_offset_minutes} min must be longer than windows.strict_offset_seconds (${w.strict_offset_seconds} s): the close window would start at or after its strict time`,
    };
  }
  return windowsLayoutProblem(w, REGULAR_CLOSE_MIN, null) ?? windowsLayoutProblem(w, EARLY_CLOSE_MIN, lastEarly);
}

/**
 * The day's windows (as `windowsForDay` lays them out) for a session closing at `closeEt`: every window
 * starts strictly after the open and at or after the previous window's target. `lastHourly` is the
 * early-close cut-off (`windows.early_close_last_hourly`), null on a regular day.
 */
export function windowsLayoutProblem(w: WindowsSection, closeMin: number, lastHourlyMin: number | null): WindowsProblem | undefined {
  const targets = w.hourly_targets
    .map(minutesOf)
    .filter((t) => t < closeMin && (lastHourlyMin === null || t <= lastHourlyMin))
    .sort((a, b) => a - b);
  const ho = w.hourly_start_offset_minutes;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const start = t - ho;
    if (start <= OPEN_MIN) {
      return {
        key: 'windows.hourly_start_offset_minutes',
        message: `${ho} would start the ${clock(t)} window ${at(start)}, not after the 09:30 open`,
      };
    }
    const prev = targets[i - 1];
    if (prev !== undefined && start < prev) {
      return {
        key: 'windows.hourly_start_offset_minutes',
        message: `${ho} is longer than the ${t - prev}-minute gap between the ${clock(prev)} and ${clock(t)} targets (windows of one day must not overlap)`,
      };
    }
  }
  const co = w.close_start_offset_minutes;
  const start = closeMin - co;
  const label = `close-${clock(closeMin).replace(':', '')}`;
  const early = lastHourlyMin !== null ? ' on an early-close day' : '';
  if (start <= OPEN_MIN) {
    return { key: 'windows.close_start_offset_minutes', message: `${co} would start the ${label} window${early} ${at(start)}, not after the 09:30 open` };
  }
  const last = targets[targets.length - 1];
  if (last !== undefined && start < last) {
    return {
      key: 'windows.close_start_offset_minutes',
      message: `${co} would start the ${label} window${early} at ${clock(start)}, before the ${clock(last)} hourly target (windows of one day must not overlap)`,
    };
  }
  return undefined;
}

/**
 * Checks an announced early close (`configs/calendar.yaml`) against the windows section: its windows must
 * fit and not overlap either. Returns the problem in words, or undefined.
 */
export function earlyCloseProblem(w: WindowsSection, closeEt: string): string | undefined {
  const p = windowsLayoutProblem(w, minutesOf(closeEt), minutesOf(w.early_close_last_hourly));
  return p ? `an early close at ${closeEt} does not fit configs/index_ops.yaml ${p.key}: ${p.message}` : undefined;
}

/** Reads the file if present, else built-in defaults. */
export function loadIndexOps(file: string, displayName = 'configs/index_ops.yaml'): IndexOpsConfig {
  const text = readConfigFile(file, displayName);
  return text === undefined ? defaultIndexOps() : parseIndexOps(text, displayName);
}
