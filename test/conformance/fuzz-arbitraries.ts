/**
 * fast-check arbitraries for the boundary fuzz tests: texts a hostile or buggy server could send, built
 * mostly by mutating a valid payload (drop, null, retype or replace a field anywhere, add unknown or
 * prototype-named keys, hostile decimal strings, huge/odd numbers, truncation), plus arbitrary JSON and
 * arbitrary text. Not a test file.
 */
import fc from 'fast-check';

/** Seed for every fuzz run (reproducible; fast-check shrinks a failure and prints the counterexample). */
export const FUZZ_SEED = 20_261_120;
export const FUZZ_RUNS = 10_000;

/**
 * Runs `fn` (the product's decoder on one generated input) with V8's stack capture off, and restores it.
 * A hostile input is rejected by constructing an error (a SyntaxError from JSON.parse, a protocol error, a
 * zod issue); capturing each one's stack cost ~15% of fuzz-kalshi-rest's CPU (measured side by side). The
 * tests read an error's type, status and message, never its stack; their assertions run outside, as usual.
 */
export function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

type Path = (string | number)[];

/** Every path to a value inside `v` (objects' keys and arrays' indices), the root included. */
export function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

/** Strings that look like decimals, timestamps or tickers but are not quite (or are extreme). */
export const hostileStrings = fc.constantFrom(
  '',
  ' ',
  '0',
  '-0',
  '0.0000001',
  '0.010097',
  '0.1234567',
  '1.00000000000000000001',
  '-0.5',
  '1e3',
  '1E-7',
  'NaN',
  'Infinity',
  '0x1A',
  '１２',
  '0.5 ',
  ' 0.5',
  '.5',
  '5.',
  '00000000000000000000000000000001.5',
  '99999999999999999999999.99',
  '9007199254740993',
  '2026-13-45T99:99:99Z',
  'null',
  '__proto__',
  'I:SPX',
  'I:',
  'KALSHI-ACCESS-KEY: leaked',
  '\u0000\u001b[31m',
  'x'.repeat(300),
);

export const hostileNumbers = fc.constantFrom(0, -0, -1, 1, 0.5, 1e-7, 1e21, -1e21, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 1763650801000, 1763650801, 1763650801000000000, 12, 1e400);

const leaf = fc.oneof(
  { weight: 3, arbitrary: hostileStrings },
  { weight: 3, arbitrary: hostileNumbers },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], [['0.5', '1.00']], [['0.5000', '-1.00']], { nested: { deeper: [1, 'a'] } }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

type Mutation =
  | { op: 'delete' | 'null' | 'dup'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'add'; at: number; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom<'delete' | 'null' | 'dup'>('delete', 'null', 'dup'), at: fc.nat() }),
  fc.record({ op: fc.constant<'set'>('set'), at: fc.nat(), value: leaf }),
  fc.record({ op: fc.constant<'add'>('add'), at: fc.nat(), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'extra_field', 'seq', 'sid', 'type', 'msg', 'ev'), fc.string({ maxLength: 8 })), value: leaf }),
);

function apply(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length]!;
  if (path.length === 0) return m.op === 'set' ? structuredClone(m.value) : m.op === 'null' ? null : root;
  let parent = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const key = path.at(-1)!;
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'null':
      parent[key] = null;
      break;
    case 'dup':
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key]));
      else parent[`${String(key)}_copy`] = structuredClone(parent[key]);
      break;
    case 'set':
      // Clone: constant leaves are shared across runs and must never be mutated or aliased.
      parent[key] = structuredClone(m.value);
      break;
    case 'add': {
      const target = parent[key];
      // JSON.parse makes `__proto__` an own key; define it the same way so the text carries it.
      if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
      break;
    }
  }
  return root;
}

/** Texts derived from `samples` (each a valid payload): mutated, truncated, or unrelated. */
export function hostileText(samples: readonly unknown[]): fc.Arbitrary<string> {
  const mutated = fc.tuple(fc.nat(samples.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => {
    let v: unknown = structuredClone(samples[i]);
    for (const m of ms) v = apply(v, m);
    return JSON.stringify(v) ?? 'undefined';
  });
  const truncated = fc.tuple(fc.nat(samples.length - 1), fc.nat()).map(([i, n]) => {
    const t = JSON.stringify(samples[i]);
    return t.slice(0, n % t.length);
  });
  return fc.oneof(
    { weight: 14, arbitrary: mutated },
    { weight: 2, arbitrary: fc.constantFrom(...samples.map((s) => JSON.stringify(s))) },
    { weight: 1, arbitrary: truncated },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}
