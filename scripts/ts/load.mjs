/**
 * Loader hook for this repository's TypeScript (the tests, and the sources and benches they import): a
 * `.ts` file loads as ESM from its type-stripped JavaScript. The sources are `isolatedModules` +
 * `verbatimModuleSyntax` and every relative import names its `.ts` file, so type stripping is the whole
 * transform and Node's own resolution finds every file: no resolve hook, and `import.meta.url` stays the
 * `.ts` file's own (tests find fixtures and the repo root from it).
 *
 * The JavaScript comes from `KA_TS_CACHE` when the run compiled it there beforehand (scripts/ts/compile.mjs,
 * one esbuild pass over every file), else from esbuild's transform of that one file. Why: transforming in
 * every process (as tsx does) cost a test process 0.5–1 s of CPU on the supervisor's module graph, and a run
 * starts ~110 of them; reading the compiled file costs a stat and a read.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compiledPath, transformOne } from './compile.mjs';

const cache = process.env.KA_TS_CACHE;

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const pre = cache ? compiledPath(cache, file) : undefined;
  if (pre) {
    try {
      // compiled from this very file: not older than it (a test that rewrites a source gets a fresh transform)
      if (fs.statSync(pre).mtimeMs >= fs.statSync(file).mtimeMs) return { format: 'module', source: fs.readFileSync(pre, 'utf8'), shortCircuit: true };
    } catch {
      // not compiled (a file outside the compiled folders, or written later): transform it
    }
  }
  return { format: 'module', source: await transformOne(file, await fs.promises.readFile(file, 'utf8')), shortCircuit: true };
}

