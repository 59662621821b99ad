/**
 * Reading a YAML config file (configs/*.yaml): the optional file's text, the parse with a depth limit, the
 * zod validation, and every failure as one printable ConfigError line naming the file, line, column and key.
 * Shared by index_ops.yaml (index-ops.ts) and the calendar, fees and events configs.
 */
import { Composer, isMap, isScalar, isSeq, LineCounter, Parser, type CST, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { readOptionalUserFile, UserFileError } from './user-file.ts';

/** A bad config file. The message is always one printable line, whatever bytes the file held. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string) {
    super(printable(message));
  }
}

/** Control characters, line breaks and lone surrogates escaped as `\uXXXX`: a message stays one line. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A key as written in a message: plain when it is a plain word, else quoted (and cut when very long). */
export function keyText(segment: PropertyKey): string {
  const s = String(typeof segment === 'symbol' ? segment.description : segment);
  if (/^[A-Za-z0-9_$@:+-]+$/.test(s) && s.length <= 60) return s;
  return JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s);
}

/**
 * Formats the first zod issue as `<file>: <dotted.key>: <message>` — `<file>:<line>:<column>: …` when `where`
 * can place the key in the file (a YAML document: see parseYamlConfig).
 */
export function describeZodIssue(file: string, error: z.ZodError, where?: YamlWhere): string {
  const issue = error.issues[0]!;
  const key = issue.path.length ? issue.path.map(keyText).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const shown = issue.keys.slice(0, 3).map(keyText).join(', ') + (issue.keys.length > 3 ? ` (and ${issue.keys.length - 3} more)` : '');
    const at = where ? where([...issue.path, issue.keys[0]!], { atKey: true }) : file;
    return `${at}: ${key === '(root)' ? '' : key + '.'}${shown}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
  }
  return `${where ? where(issue.path) : file}: ${key}: ${issue.message}`;
}

/**
 * Where a key sits in a YAML config: `<file>:<line>:<column>` of its value (of the key itself for an unknown
 * key; of the nearest enclosing entry when the key is missing), or `<file>` alone when it cannot be placed.
 * Keys are a zod issue path or a dotted key (`windows.hourly_targets`, `closures.0.date`).
 */
export type YamlWhere = (key: readonly PropertyKey[] | string, o?: { atKey?: boolean }) => string;

/**
 * Parses a YAML config document and validates it against `schema`; every failure is a ConfigError that
 * names the file, the line and column, and the key (`configs/index_ops.yaml:3:15: quotes.min_ev_usd: …`).
 * The YAML core schema keeps bare dates (2026-12-28) as strings; tags of other schemas (`!!binary`, `!!set`,
 * `!!timestamp`) are not resolved, so a document only ever holds JSON values. A YAML warning (such as that
 * unknown tag, or an unknown directive) is an error too: the yaml library would otherwise print it to stderr
 * and go on with a guess. `where` places the keys of the document for checks made after parsing.
 */
export function parseYamlConfig<T extends z.ZodType>(text: string, file: string, schema: T): { data: z.infer<T>; where: YamlWhere } {
  const lines = new LineCounter();
  let doc: unknown;
  let where: YamlWhere = () => file;
  try {
    // parseDocument(), in its two phases, with a depth check in between: the lexer/parser is iterative,
    // but composing recurses once per nesting level, and a few KB of `[[[[…` exhaust the stack — where V8
    // may then abort the whole process (a regexp compiled near the stack limit fails as "out of memory")
    // instead of throwing. Config files are a few levels deep; anything past MAX_YAML_DEPTH is refused.
    const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
    if (cstDepth(tokens) > MAX_YAML_DEPTH) throw new Error(`nested deeper than ${MAX_YAML_DEPTH} levels`);
    const docs = Array.from(new Composer({ schema: 'core', resolveKnownTags: false, logLevel: 'error', uniqueKeys: true }).compose(tokens, true, text.length));
    if (docs.length > 1) throw Object.assign(new Error('more than one YAML document (---)'), { pos: docs[1]!.range });
    const d = docs[0]!;
    const problem = d.errors[0] ?? d.warnings[0];
    if (problem) throw problem;
    where = (key, o) => {
      const offset = offsetOf(d, typeof key === 'string' ? key.split('.') : key, o?.atKey ?? false);
      return offset === undefined ? file : `${file}:${position(lines, offset)}`;
    };
    doc = d.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const pos = (e as { pos?: unknown }).pos;
    const at = Array.isArray(pos) && typeof pos[0] === 'number' ? `${file}:${position(lines, pos[0])}` : file;
    throw new ConfigError(`${at}: not valid YAML: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const r = schema.safeParse(doc ?? {});
  if (!r.success) throw new ConfigError(describeZodIssue(file, r.error, where));
  return { data: r.data, where };
}

/** `parseYamlConfig` for callers that need only the validated value. */
export function parseYamlDocument<T extends z.ZodType>(text: string, file: string, schema: T): z.infer<T> {
  return parseYamlConfig(text, file, schema).data;
}

/** `line:column` (both from 1) of a character offset. */
function position(lines: LineCounter, offset: number): string {
  const p = lines.linePos(offset);
  return `${p.line}:${p.col}`;
}

/**
 * Offset of the value at `path` (of its key with `atKey`, or for an entry without a value), else of the
 * deepest entry found on the way.
 */
function offsetOf(doc: Document, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let at = (node as YamlNode | null)?.range?.[0];
  for (const [i, seg] of path.entries()) {
    let next: unknown;
    let keyAt: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      keyAt = (pair.key as YamlNode | null)?.range?.[0];
      next = pair.value;
    } else if (isSeq(node)) {
      next = node.items[Number(seg)];
    } else break;
    const nextAt = (next as YamlNode | null)?.range?.[0];
    at = (atKey && i === path.length - 1 ? keyAt : undefined) ?? nextAt ?? keyAt ?? at;
    node = next;
    if (nextAt === undefined) break;
  }
  return at;
}

const MAX_YAML_DEPTH = 64;

/** Deepest collection nesting of a YAML CST, walked with an explicit stack (never recursion). */
function cstDepth(tokens: readonly CST.Token[]): number {
  let max = 0;
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [t, d] = stack.pop()!;
    if (t.type === 'document') {
      if (t.value) stack.push([t.value, d]);
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      const depth = d + 1;
      if (depth > max) max = depth;
      if (max > MAX_YAML_DEPTH) return max;
      for (const it of t.items) {
        if (it.key) stack.push([it.key, depth]);
        if (it.value) stack.push([it.value, depth]);
      }
    }
  }
  return max;
}

/** The first line of a message, without trailing punctuation noise. */
const oneLine = (message: string): string => message.split(/\r?\n/, 1)[0]!.trim();

/** The text of an optional config file (undefined when absent); a directory or unreadable file is a ConfigError. */
export function readConfigFile(file: string, displayName: string): string | undefined {
  try {
    return readOptionalUserFile(file, displayName);
  } catch (e) {
    if (e instanceof UserFileError) throw new ConfigError(e.message);
    throw e;
  }
}
