/**
 * `replay --set key=value` (SPEC §9): overrides of `configs/index_ops.yaml` keys for a replay, validated by
 * the config's own schema (unknown key, bad value, cross-field rule: a clear error naming the key).
 * Several values of one key (`--set quotes.min_ev_usd=0.03,0.05`, or the key given twice) make a sweep:
 * one setting per combination of values, in a stable order.
 */
import { indexOpsFromValue, type IndexOpsConfig } from '../../config/index-ops.ts';
import { ReplayInputError } from './run.ts';

export interface Setting {
  /** `quotes.min_ev_usd=0.03 risk.daily_loss_cap_usd=20` (empty: the config as it is). */
  label: string;
  overrides: Record<string, unknown>;
  config: IndexOpsConfig;
}

const KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A value as YAML would read it: numbers, booleans, null, else the text. */
export function scalar(text: string): unknown {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  return t;
}

/** `--set` texts → key → values (in order of appearance, duplicates dropped). */
export function parseSetFlags(flags: readonly string[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new ReplayInputError(`--set ${f}: expected key=value (e.g. quotes.min_ev_usd=0.05)`);
    const key = f.slice(0, i).trim();
    if (!KEY.test(key)) throw new ReplayInputError(`--set ${f}: "${key}" is not a dotted key of configs/index_ops.yaml (e.g. quotes.min_ev_usd)`);
    const raw = f.slice(i + 1);
    if (raw.trim() === '') throw new ReplayInputError(`--set ${key}: no value`);
    const values = out.get(key) ?? [];
    for (const v of raw.split(',').map(scalar)) if (!values.some((x) => x === v)) values.push(v);
    out.set(key, values);
  }
  return out;
}

/** Every combination of the values (the first key varies slowest), each applied to `base` and validated. */
export function expandSettings(base: IndexOpsConfig, sets: Map<string, unknown[]>): Setting[] {
  const keys = [...sets.keys()];
  let combos: Record<string, unknown>[] = [{}];
  for (const k of keys) combos = combos.flatMap((c) => sets.get(k)!.map((v) => ({ ...c, [k]: v })));
  return combos.map((overrides) => ({ overrides, label: label(overrides), config: applyOverrides(base, overrides) }));
}

export function label(overrides: Record<string, unknown>): string {
  const parts = Object.entries(overrides).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' ') : '(config)';
}

/** The config with dotted keys replaced, revalidated as a whole (the errors name `--set <key>`). */
export function applyOverrides(base: IndexOpsConfig, overrides: Record<string, unknown>): IndexOpsConfig {
  if (Object.keys(overrides).length === 0) return base;
  const doc = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const path = key.split('.');
    let node = doc;
    for (const seg of path.slice(0, -1)) {
      const next = node[seg];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new ReplayInputError(`--set ${key}: unknown key (${seg} is not a section of configs/index_ops.yaml)`);
      node = next as Record<string, unknown>;
    }
    const leaf = path[path.length - 1]!;
    if (!Object.hasOwn(node, leaf) && !optionalLeaf(path)) throw new ReplayInputError(`--set ${key}: unknown key`);
    node[leaf] = value;
  }
  try {
    // The same schema and cross-field checks as the file.
    return indexOpsFromValue(doc, `--set ${Object.keys(overrides).join(' ')}`);
  } catch (e) {
    throw new ReplayInputError((e as Error).message);
  }
}

/** Keys the schema allows without a default (absent from the parsed config until set). */
function optionalLeaf(path: readonly string[]): boolean {
  return path.length === 3 && path[0] === 'feeds' && (path[1] === 'polygon' || path[1] === 'massive') && path[2] === 'url';
}
