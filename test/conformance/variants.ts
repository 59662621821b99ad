/**
 * Payload variants built from a full sample and a model's field metadata (the SDK models, or a table
 * transcribed from an AsyncAPI / OpenAPI definition): every optional field omitted, every nullable field
 * null, unknown extra fields at every level, their combinations, and — as negative cases — one required,
 * non-nullable field nulled at a time. Not a test file.
 */

export interface VField {
  optional: boolean;
  nullable: boolean;
  /** Model names of nested values (objects or array elements). */
  refs: string[];
}

/** Field metadata of one model, by field name. */
export type VModel = ReadonlyMap<string, VField>;
export type ModelLookup = (name: string) => VModel | undefined;

export const SPEC_VARIANTS = ['full', 'minimal', 'nulls', 'extras', 'minimal+extras', 'nulls+extras'] as const;
export type SpecVariant = (typeof SPEC_VARIANTS)[number];

interface Ops {
  omitOptional: boolean;
  nullNullable: boolean;
  extras: boolean;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Extra fields no definition names (what a newer server might add). */
const EXTRAS = (depth: number) => ({
  conformance_extra_string: `extra-${depth}`,
  conformance_extra_number: 12345.678,
  conformance_extra_object: { nested: [1, 'two', null, { deep: true }] },
  conformance_extra_null: null,
});

function transform(value: unknown, model: string | undefined, lookup: ModelLookup, ops: Ops, depth: number): unknown {
  if (Array.isArray(value)) return value.map((v) => transform(v, model, lookup, ops, depth));
  if (!isObject(value)) return value;
  const spec = model ? lookup(model) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const f = spec?.get(k);
    if (!f) {
      out[k] = v;
      continue;
    }
    if (ops.omitOptional && f.optional) continue;
    if (ops.nullNullable && f.nullable) {
      out[k] = null;
      continue;
    }
    out[k] = f.refs.length ? transform(v, f.refs[0], lookup, ops, depth + 1) : v;
  }
  if (ops.nullNullable && spec) for (const [k, f] of spec) if (f.nullable && !(k in out)) out[k] = null;
  if (ops.extras) Object.assign(out, EXTRAS(depth));
  return out;
}

export function makeVariant(sample: unknown, model: string, lookup: ModelLookup, variant: SpecVariant): unknown {
  const ops: Ops = {
    omitOptional: variant.startsWith('minimal'),
    nullNullable: variant.startsWith('nulls'),
    extras: variant.endsWith('extras'),
  };
  return transform(structuredClone(sample), model, lookup, ops, 0);
}

/**
 * Negative variants: for each required, non-nullable field of the model and of the first element of each
 * nested model, a copy of the sample with that one field set to null. Returns [path, payload] pairs.
 */
export function nullRequiredVariants(sample: unknown, model: string, lookup: ModelLookup, maxDepth = 3): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (path: (string | number)[], value: unknown, m: string, depth: number) => {
    const spec = lookup(m);
    if (!spec || !isObject(value) || depth > maxDepth) return;
    for (const [k, f] of spec) {
      if (!(k in value)) continue;
      if (!f.optional && !f.nullable) {
        const copy = structuredClone(sample);
        setAt(copy, [...path, k], null);
        out.push([[...path, k].join('.'), copy]);
      }
      const v = value[k];
      if (f.refs.length) {
        if (Array.isArray(v) && v.length > 0) walk([...path, k, 0], v[0], f.refs[0]!, depth + 1);
        else if (isObject(v)) walk([...path, k], v, f.refs[0]!, depth + 1);
      }
    }
  };
  walk([], sample, model, 0);
  return out;
}

function setAt(root: unknown, path: (string | number)[], v: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = v;
}

/** Dotted paths of fields the model defines but the sample lacks (to prove a "full" sample is full). */
export function missingFields(sample: unknown, model: string, lookup: ModelLookup, path = ''): string[] {
  const spec = lookup(model);
  if (!spec || !isObject(sample)) return [];
  const missing: string[] = [];
  for (const [k, f] of spec) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in sample)) {
      missing.push(p);
      continue;
    }
    const v = sample[k];
    if (f.refs.length) {
      const items = Array.isArray(v) ? v : [v];
      if (Array.isArray(v) && v.length === 0) missing.push(`${p}[]`);
      for (const item of items.slice(0, 1)) missing.push(...missingFields(item, f.refs[0]!, lookup, Array.isArray(v) ? `${p}[0]` : p));
    }
  }
  return missing;
}
