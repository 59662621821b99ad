/**
 * Type stripping of this repository's TypeScript for the test loader (load.mjs): `compileAll(dir)` writes
 * the JavaScript of every `.ts` file under src/, test/, bench/ and scripts/ into `dir` at the same relative
 * path (one esbuild pass, well under a second), `compiledPath` names a file's place there, `transformOne`
 * strips one file by itself. Inline source maps: with `--enable-source-maps` (run-tests passes it) a
 * failing test's stack points at the `.ts` lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FOLDERS = ['src', 'test', 'bench', 'scripts'];
const OPTIONS = {
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  // the tsconfig's emit-relevant settings (esbuild would read them from tsconfig.json; stated here once)
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};

/** The compiled file for source `file` inside `dir` (undefined: outside the compiled folders). */
export function compiledPath(dir, file) {
  const rel = path.relative(ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel) || !FOLDERS.includes(rel.split(path.sep)[0])) return undefined;
  return path.join(dir, rel.slice(0, -3) + '.js');
}

function sources(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every `.ts` file of the compiled folders into `dir`; how many. */
export async function compileAll(dir) {
  const entryPoints = FOLDERS.flatMap((f) => sources(path.join(ROOT, f)));
  const esbuild = await import('esbuild');
  await esbuild.build({ ...OPTIONS, absWorkingDir: ROOT, entryPoints, outdir: dir, outbase: ROOT, bundle: false, write: true });
  return entryPoints.length;
}

export async function transformOne(file, source) {
  // esbuild only when needed: the hook thread of every test process loads this file
  const esbuild = await import('esbuild');
  const out = await esbuild.transform(source, { ...OPTIONS, loader: 'ts', sourcefile: file });
  return out.code;
}
