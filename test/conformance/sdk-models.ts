/**
 * Field metadata of Kalshi's official models, read at test time from the generated sources of the
 * `kalshi-typescript` SDK (devDependency, 3.30.0): `node_modules/kalshi-typescript/models/*.ts`. For every
 * interface: each field's name, whether it is optional (`'f'?:`), nullable (`| null`), and which other
 * models it refers to. The OpenAPI fragments of docs.kalshi.com mark a few more fields nullable than the
 * generator kept; those are added from `OPENAPI_NULLABLE` (with their source). Not a test file.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SDK_DIR = path.join(import.meta.dirname, '..', '..', 'node_modules', 'kalshi-typescript');
export const SDK_MODELS_DIR = path.join(SDK_DIR, 'models');

export interface FieldSpec {
  name: string;
  optional: boolean;
  nullable: boolean;
  /** Models this field holds (directly or as array elements). */
  refs: string[];
  array: boolean;
}

export interface ModelSpec {
  name: string;
  /** The SDK file it came from, relative to the package root. */
  file: string;
  fields: Map<string, FieldSpec>;
}

/**
 * Fields the OpenAPI fragments declare `nullable: true` although the SDK types them without `| null`
 * (docs.kalshi.com api-reference pages, OpenAPI 3.28.0 as mirrored in ammario/kalshi-docs @59e4f721).
 */
export const OPENAPI_NULLABLE: Record<string, { fields: string[]; source: string }> = {
  Order: { fields: ['self_trade_prevention_type'], source: 'api-reference/orders/get-orders.md (Order.self_trade_prevention_type: nullable, x-omitempty: false)' },
  Market: { fields: ['settlement_value_dollars'], source: 'api-reference/market/get-market.md (Market.settlement_value_dollars: nullable, x-omitempty: true)' },
};

/**
 * Not in any published schema, but sent by the exchange and named in issue 12: an order-book side with no
 * resting orders may be `null` (the schema says an array).
 */
export const OBSERVED_NULLABLE: Record<string, { fields: string[]; source: string }> = {
  OrderbookCountFp: { fields: ['yes_dollars', 'no_dollars'], source: 'issue 12 item 1 (GET /markets/{ticker}/orderbook and /markets/orderbooks)' },
};

let cache: Map<string, ModelSpec> | undefined;

/** Every interface of the SDK's models, by name. */
export function sdkModels(): Map<string, ModelSpec> {
  if (cache) return cache;
  const models = new Map<string, ModelSpec>();
  for (const f of fs.readdirSync(SDK_MODELS_DIR).filter((x) => x.endsWith('.ts') && x !== 'index.ts')) {
    const text = fs.readFileSync(path.join(SDK_MODELS_DIR, f), 'utf8');
    for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      const fields = new Map<string, FieldSpec>();
      for (const line of m[2]!.split('\n')) {
        const fm = /^\s+'([A-Za-z_0-9]+)'(\?)?: (.+);\s*$/.exec(line);
        if (!fm) continue;
        const type = fm[3]!;
        fields.set(fm[1]!, { name: fm[1]!, optional: fm[2] === '?', nullable: /\|\s*null\b/.test(type), refs: [...type.matchAll(/\b([A-Z]\w+)\b/g)].map((x) => x[1]!).filter((x) => x !== 'Array'), array: /Array</.test(type) });
      }
      models.set(m[1]!, { name: m[1]!, file: `models/${f}`, fields });
    }
  }
  // Keep only references to other interfaces (enums and aliases are leaves).
  for (const spec of models.values()) for (const field of spec.fields.values()) field.refs = field.refs.filter((r) => models.has(r));
  for (const overlay of [OPENAPI_NULLABLE, OBSERVED_NULLABLE]) {
    for (const [model, { fields }] of Object.entries(overlay)) {
      const spec = models.get(model);
      if (!spec) throw new Error(`overlay names ${model}, which the SDK does not define`);
      for (const name of fields) {
        const field = spec.fields.get(name);
        if (!field) throw new Error(`overlay names ${model}.${name}, which the SDK does not define`);
        field.nullable = true;
      }
    }
  }
  cache = models;
  return models;
}

export function sdkModel(name: string): ModelSpec {
  const m = sdkModels().get(name);
  if (!m) throw new Error(`kalshi-typescript defines no model ${name}`);
  return m;
}

export function sdkVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}
