/** A strict parser of Prometheus text exposition (format 0.0.4), for the tests that scrape /metrics. */
import assert from 'node:assert/strict';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses Prometheus text exposition strictly; throws naming the line on anything malformed. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  assert.ok(text.endsWith('\n'), 'exposition ends with a newline');
  const lines = text.split('\n').slice(0, -1);
  const familyOf = (name: string) => {
    if (families.has(name)) return name;
    for (const suffix of ['_total', '_bucket', '_sum', '_count', '_created']) {
      if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
    }
    return undefined;
  };
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest] = m;
      assert.match(name!, NAME, where);
      const f = families.get(name!) ?? { type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!), where);
        assert.equal(f.samples.length, 0, `TYPE after samples: ${where}`);
        f.type = rest!;
      } else f.help = rest!;
      families.set(name!, f);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    assert.ok(m, `malformed sample: ${where}`);
    const [, name, , body, raw] = m;
    const labels: Record<string, string> = {};
    if (body) {
      let rest = body;
      while (rest.length > 0) {
        const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
        assert.ok(lm, `malformed labels: ${where}`);
        assert.match(lm[1]!, LABEL);
        assert.ok(!(lm[1]! in labels), `duplicate label: ${where}`);
        labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        rest = rest.slice(lm[0].length);
      }
    }
    // Go's ParseFloat, as Prometheus reads it: NaN and ±Inf in any case (prom-client writes `Nan`).
    const special = /^nan$/i.test(raw!) ? NaN : /^\+?inf(inity)?$/i.test(raw!) ? Infinity : /^-inf(inity)?$/i.test(raw!) ? -Infinity : undefined;
    const value = special ?? Number(raw);
    assert.ok(special !== undefined || (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw!) && Number.isFinite(value)), `bad value: ${where}`);
    const fam = familyOf(name!);
    assert.ok(fam, `sample without HELP/TYPE: ${where}`);
    families.get(fam)!.samples.push({ name: name!, labels, value });
  });
  return families;
}
