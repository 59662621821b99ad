/**
 * Generators shared by the fuzz tests: arbitrary text, token soups in the shape of the format, and trees
 * biased toward the real keys so that the validators' deeper branches (and the accept path) are reached,
 * not only the first "expected object" check.
 *
 * Runs and seeds: every property runs `RUNS` inputs (≥ 10,000; `KA_FUZZ_RUNS=N` for a longer hunt) from a
 * fixed seed (`KA_FUZZ_SEED` overrides it); fast-check shrinks any failure to a minimal input and prints
 * the seed and path that replay it.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

export const RUNS = Math.max(10_000, Number(process.env.KA_FUZZ_RUNS ?? 0) || 0);
export const seed = (fallback: number): number => (process.env.KA_FUZZ_SEED ? Number(process.env.KA_FUZZ_SEED) : fallback);
export const params = (fallback: number) => ({ numRuns: RUNS, seed: seed(fallback) });

/**
 * One code point of any kind: printable ASCII mostly, control characters, and anything up to U+10FFFF
 * (lone surrogates included). Built by hand: fast-check's `binary` unit builds a reverse map of the whole
 * code-point space (about a second) for every string arbitrary made from it.
 */
export const anyChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x7f, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);
/** A short string of any code points. */
export const anyString = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: anyChar, maxLength });

/** Any string: full code-point range (lone surrogates included), ASCII, and control characters. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  anyString(200),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
);

/** Text assembled from the tokens of a format (plus noise), so parsers get past their first character. */
export function tokenSoup(tokens: readonly string[], maxLength = 40): fc.Arbitrary<string> {
  return fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 4 }) }), { maxLength }).map((a) => a.join(''));
}

export const YAML_TOKENS = [
  '\n', '\n', '\n  ', '\n    ', '  ', ' ', '- ', ': ', ':', '#', '---\n', '...\n', '? ', '| \n', '> \n', '[', ']', '{', '}', ',', "'", '"',
  '&a ', '*a', '!!str ', '!!int ', '!!float ', '!!map ', '!!seq ', '!!binary ', '!custom ', '<<: ', '%YAML 1.2\n', '\t', '\r\n',
  'null', '~', 'true', 'no', '1e309', '-.inf', '.nan', '0x1F', '0o17', '-1', '0', '2.5', '1e3', '9007199254740993',
  '"10:00"', '10:00', '"09:30"', '"13:00"', '"16:00"', '"25:00"', '2026-11-20', '2026-02-30', '2030-01-02', '2026-11-21',
  '__proto__', 'constructor', 'toString',
] as const;

export const JSON_TOKENS = [
  '{', '}', '[', ']', ',', ':', '"', '""', 'null', 'true', 'false', '-', '0', '1', '0.5', '1e309', '-0', '1.0000001', '\\u0000', '\\"',
  ' ', '\n', '"series"', '"events"', '"$comment"', '"KXINXU"', '"INX"', '"from"', '"fee_type"', '"fee_multiplier"', '"quadratic"', '"flat"',
  '"2026-07-03T17:00:00Z"', '"__proto__"', '"fee_multiplier_override"', '"fee_type_override"', '"KXINX-26NOV20H1600"',
] as const;

/** Any JSON-like value (what a YAML or JSON document can hold), keys included. */
export const anyTree: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3, depthSize: 'small', stringUnit: anyChar });

/** Scalars that look like config values (times, dates, numbers at the edges, odd types). */
export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00', '09:00', '09:30', '20:00', '10:30', '12:59', '24:00', '1:00', ''),
  fc.constantFrom('2026-11-20', '2026-12-24', '2026-12-28', '2027-07-02', '2026-11-21', '2030-01-02', '2026-02-30', '2026-1-2', '2025-01-01'),
  fc.constantFrom('2026-07-03T17:00:00Z', '2025-10-01T00:00:00+05:30', '2026-02-30T00:00:00Z', 'yesterday'),
  fc.constantFrom('normal', 't', 'ws', 'rest', 'V', 'A', 'AM', 'quadratic', 'flat', 'quadratic_with_maker_fees', 'CPI', 'FOMC', 'c p i'),
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, 1, 2, 10, 15, 30, 59, 60, 61, 120, 600, 1000, 1500, 86_400, 2 ** 31, 2 ** 53, -0, 0.5, 0.05, 0.000_000_1, 1e308),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  anyString(12),
);

/** A value for a known key: mostly plausible scalars, sometimes lists of them, sometimes any tree. */
export const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: anyTree },
);

/** `good` most of the time, any `value` otherwise: keeps validators busy past their first check. */
export const mostly = <T>(good: fc.Arbitrary<T>, weight = 4): fc.Arbitrary<unknown> => fc.oneof({ weight, arbitrary: good }, { weight: 1, arbitrary: value });

/** An object over `keys` (each present or not) plus, sometimes, one unknown key. */
export function objectOf(keys: readonly string[], valueArb: fc.Arbitrary<unknown> = value): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.subarray([...keys]).chain((ks) => fc.tuple(...ks.map((k) => valueArb.map((v) => [k, v] as const)))),
      fc.option(fc.tuple(anyString(10), value), { freq: 8 }),
    )
    .map(([pairs, extra]) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of pairs) o[k] = v;
      if (extra) Object.defineProperty(o, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
      return o;
    });
}

/** A YAML document for `tree`, or (rarely) a mangled one: truncated, or one line's indentation broken. */
export function yamlOf(tree: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.tuple(tree, fc.nat(), fc.constantFrom('block', 'block', 'json', 'json', 'truncate', 'indent')).map(([t, n, how]) => {
    let text: string;
    try {
      // JSON is YAML 1.2 (flow style) and much cheaper to produce than the yaml library's block style.
      text = how === 'json' ? (JSON.stringify(t) ?? 'null') : stringify(t);
    } catch {
      text = String(t);
    }
    if (how === 'truncate') return text.slice(0, n % (text.length + 1));
    if (how === 'indent') {
      const lines = text.split('\n');
      const i = n % lines.length;
      lines[i] = ' ' + lines[i];
      return lines.join('\n');
    }
    return text;
  });
}

/** Asserts a rejection message is one line that starts with the file name (`<file>: ` or `<file>:<line>:<column>: `). */
export function assertCleanMessage(message: string, prefix: string): void {
  const file = prefix.replace(/: $/, '');
  if (!message.startsWith(prefix) && !(message.startsWith(file) && /^:\d+:\d+: /.test(message.slice(file.length)))) throw new Error(`rejection does not name ${prefix}: ${JSON.stringify(message)}`);
  if (/[\r\n]/.test(message)) throw new Error(`rejection is not one line: ${JSON.stringify(message)}`);
}
