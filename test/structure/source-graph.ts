/**
 * The house as its imports draw it: every `.ts` file under src/ and what it imports (static, `export … from`,
 * `import type` — a type is a dependency too — and dynamic `import()`). Comments are blanked out first, so an
 * example in a doc comment is not an import. (TypeScript 7 has no JS API to ask, and esbuild drops type-only
 * imports; the code base writes every import at the start of a line, which the scanner relies on.)
 * The structure tests (import-graph, file-size) read the tree through this.
 */
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Every source file under `root` (default src/), repo-relative with forward slashes, sorted. */
export function sourceFiles(root = path.join(repoRoot, 'src')): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(path.relative(repoRoot, p).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** The area of a source file: its first directory under src/ (`core`, `engine`, … `cli`). */
export function areaOf(file: string): string {
  return file.split('/')[1] ?? '';
}

export interface Edge {
  from: string;
  to: string;
  /** `import('…')`: loaded only when that code runs (cli's command registry). */
  dynamic: boolean;
}

/** `text` with every comment replaced by spaces (strings and template literals kept as they are). */
export function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC = /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The imports of `text` (a file at repo-relative `file`) that resolve to other source files; packages are left out. */
export function importsOf(file: string, text: string): Edge[] {
  const code = blankComments(text);
  const edges: Edge[] = [];
  const add = (spec: string, dynamic: boolean) => {
    if (!spec.startsWith('.')) return;
    edges.push({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)), dynamic });
  };
  for (const m of code.matchAll(STATIC)) add((m[1] ?? m[2])!, false);
  for (const m of code.matchAll(DYNAMIC)) add(m[1]!, true);
  return edges;
}

/** Every import edge between source files under src/. */
export function importGraph(files = sourceFiles(), read = (f: string) => fs.readFileSync(path.join(repoRoot, f), 'utf8')): Edge[] {
  return files.flatMap((f) => importsOf(f, read(f)));
}

/** The strongly connected components of more than one file (or a file importing itself): the circles. */
export function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n);
    n++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (next.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
