/**
 * Calibration files on disk: `<calibDir>/<spx|ndx>/<hourly|close>/params.json` (SPEC §5.3). Written
 * atomically after validation; read back schema-checked, with the age and provenance that preflight judges
 * (`calibration_missing:<SERIES>:<horizon>`, `calibration_stale:<SERIES>:<horizon>:<age>d`: calibrationStatus).
 * `by_target` (per target hour) and `drift_se` are optional: older files stay valid; which curve a
 * market uses is `calibrationChoice` + `curveFromParams(params, targetEt)`, not this module's business.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../fs/atomic-write.ts';
import { CalibrationParamsSchema, type CalibrationParams, type Horizon } from '../../core/calibration/params.ts';
import { symbolSlug, type IndexSymbol, type SeriesInfo } from '../../core/series.ts';

export class CalibrationFileError extends Error {
  override name = 'CalibrationFileError';
  constructor(
    message: string,
    readonly kind: 'missing' | 'invalid',
  ) {
    super(message);
  }
}

export const DAY_MS = 86_400_000;

export function calibrationPath(calibDir: string, symbol: IndexSymbol, horizon: Horizon): string {
  return path.join(calibDir, symbolSlug(symbol), horizon, 'params.json');
}

export function writeCalibration(file: string, params: CalibrationParams): void {
  const r = CalibrationParamsSchema.safeParse(params);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const msg = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
    throw new CalibrationFileError(`refusing to write invalid calibration: ${i.path.join('.')}: ${msg}`, 'invalid');
  }
  writeJsonAtomic(file, r.data);
}

export interface LoadedCalibration {
  file: string;
  params: CalibrationParams;
  generatedAtMs: number;
  /** (now − generated_at) in days, fractional; never negative. */
  ageDays: number;
}

export function parseCalibration(text: string, file: string, nowMs: number): LoadedCalibration {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CalibrationFileError(`${file}: not valid JSON`, 'invalid');
  }
  const r = CalibrationParamsSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const key = i.path.length ? i.path.join('.') : '(root)';
    const msg =
      i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: unknown key` : i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
    throw new CalibrationFileError(`${file}: ${key}: ${msg}`, 'invalid');
  }
  const generatedAtMs = Date.parse(r.data.generated_at);
  return { file, params: r.data as CalibrationParams, generatedAtMs, ageDays: Math.max(0, (nowMs - generatedAtMs) / DAY_MS) };
}

export function readCalibration(file: string, nowMs: number): LoadedCalibration {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CalibrationFileError(`${file}: ${code === 'ENOENT' ? 'not found' : `cannot read (${code})`}`, code === 'ENOENT' ? 'missing' : 'invalid');
  }
  return parseCalibration(text, file, nowMs);
}

export type CalibrationStatus =
  | { ok: true; calibration: LoadedCalibration; note?: string }
  | { ok: false; reason: string; detail: string; absent: boolean; calibration?: LoadedCalibration };

/**
 * Preflight's view of one series' calibration (SPEC §6.2, issue 23): ok, or
 * - `calibration_missing:<SERIES>:<horizon>`: absent (`absent`), unreadable/invalid, for another symbol or
 *   horizon, or — for a real feed (`realFeed`) — fitted on the simulator's generated history
 *   (`fitted_on.source: sim`, a simulated run's self-calibration);
 * - `calibration_stale:<SERIES>:<horizon>:<age>d`: older than `staleDays`, except a file fitted on the
 *   simulator's history read for a simulated run: the simulated world's law does not change with the date,
 *   so its age is only a `note`.
 */
export function calibrationStatus(calibDir: string, series: SeriesInfo, horizon: Horizon, nowMs: number, staleDays: number, o: { realFeed?: boolean } = {}): CalibrationStatus {
  const file = calibrationPath(calibDir, series.symbol, horizon);
  const missing = `calibration_missing:${series.code}:${horizon}`;
  let loaded: LoadedCalibration;
  try {
    loaded = readCalibration(file, nowMs);
  } catch (e) {
    if (!(e instanceof CalibrationFileError)) throw e;
    return { ok: false, reason: missing, detail: e.message, absent: e.kind === 'missing' };
  }
  if (loaded.params.symbol !== series.symbol || loaded.params.horizon !== horizon) {
    return { ok: false, reason: missing, detail: `${file}: holds ${loaded.params.symbol} ${loaded.params.horizon}`, absent: false };
  }
  const simFitted = loaded.params.fitted_on?.source === 'sim';
  if (o.realFeed && simFitted) {
    return { ok: false, reason: missing, detail: `${file}: fitted on the simulator's generated history (a simulated run's self-calibration), not on real bars: run calibrate`, absent: false, calibration: loaded };
  }
  const age = Math.floor(loaded.ageDays);
  if (loaded.ageDays > staleDays) {
    if (simFitted) return { ok: true, calibration: loaded, note: `calibration ${series.code}:${horizon} fitted on the simulator's history ${age}d ago (never stale for simulated runs)` };
    return { ok: false, reason: `calibration_stale:${series.code}:${horizon}:${age}d`, detail: `${file}: generated ${loaded.params.generated_at}`, absent: false, calibration: loaded };
  }
  return { ok: true, calibration: loaded };
}
