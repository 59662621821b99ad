/**
 * The arrows point one way (docs/ARCHITECTURE.md): core ← ports ← engine ← adapters ← app ← cli, config under
 * adapters, sim beside adapters (used by app presets), the dashboard beside cli. Read from every import under
 * src/ (type-only and dynamic ones too): an arrow back up, or a circle anywhere but cli's command registry
 * (manifest.ts loads each command with `import()` when it runs; a command names its line from the manifest),
 * fails here, naming the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { areaOf, cycles, importGraph, importsOf, repoRoot, sourceFiles, type Edge } from './source-graph.ts';

/** What each area may import (besides itself). An area not named here is unknown: add it, with its place. */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  ports: ['core'],
  engine: ['core', 'ports'],
  config: ['core'],
  adapters: ['core', 'ports', 'engine', 'config'],
  sim: ['core', 'ports', 'config', 'adapters'],
  app: ['core', 'ports', 'engine', 'config', 'adapters', 'sim'],
  dashboard: ['core', 'ports', 'engine', 'config', 'adapters', 'sim', 'app'],
  cli: ['core', 'ports', 'engine', 'config', 'adapters', 'sim', 'app', 'dashboard'],
};

/** The command registry: manifest.ts's `import()` of each command module, the one circle there is by design. */
const isRegistryEdge = (e: Edge) => e.dynamic && e.from === 'src/cli/manifest.ts' && e.to.startsWith('src/cli/commands/');

export function arrowsUp(edges: Edge[]): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const from = areaOf(e.from);
    const to = areaOf(e.to);
    const allowed = MAY_IMPORT[from];
    if (!allowed) bad.push(`${e.from}: area "${from}" has no place in the layering`);
    else if (from !== to && !allowed.includes(to)) bad.push(`${e.from} → ${e.to} (${from} may import ${allowed.join(', ') || 'only itself'})`);
  }
  return bad;
}

export function circles(edges: Edge[]): string[] {
  return cycles(edges.filter((e) => !isRegistryEdge(e))).map((c) => c.join(' ⇄ '));
}

const graph = importGraph();

test('the scanner sees static, type-only, re-exported and dynamic imports, and not an example in a comment', () => {
  const text = [
    "import fs from 'node:fs';",
    "import { a } from './a.ts';",
    "import type { B } from '../core/b.ts';",
    "export { c } from './c.ts';",
    "import './side-effect.ts';",
    '/** e.g. `import { x } from "./not-an-import.ts"` */',
    "// import { y } from './nor-this.ts';",
    "const url = 'http://example/'; const m = await import('../app/lazy.ts');",
    'import {',
    '  d,',
    "} from './d.ts';",
  ].join('\n');
  assert.deepEqual(importsOf('src/engine/x.ts', text), [
    { from: 'src/engine/x.ts', to: 'src/engine/a.ts', dynamic: false },
    { from: 'src/engine/x.ts', to: 'src/core/b.ts', dynamic: false },
    { from: 'src/engine/x.ts', to: 'src/engine/c.ts', dynamic: false },
    { from: 'src/engine/x.ts', to: 'src/engine/side-effect.ts', dynamic: false },
    { from: 'src/engine/x.ts', to: 'src/engine/d.ts', dynamic: false },
    { from: 'src/engine/x.ts', to: 'src/app/lazy.ts', dynamic: true },
  ]);
});

test('the checks fail on an arrow back up and on a circle (a synthetic graph)', () => {
  const e = (from: string, to: string, dynamic = false): Edge => ({ from, to, dynamic });
  assert.deepEqual(arrowsUp([e('src/sim/inprocess/day.ts', 'src/app/market-adapters.ts'), e('src/core/a.ts', 'src/ports/clock.ts'), e('src/cli/main.ts', 'src/core/a.ts')]), [
    'src/sim/inprocess/day.ts → src/app/market-adapters.ts (sim may import core, ports, config, adapters)',
    'src/core/a.ts → src/ports/clock.ts (core may import only itself)',
  ]);
  assert.deepEqual(arrowsUp([e('src/widgets/a.ts', 'src/core/a.ts')]), ['src/widgets/a.ts: area "widgets" has no place in the layering']);
  assert.deepEqual(circles([e('src/core/a.ts', 'src/core/b.ts'), e('src/core/b.ts', 'src/core/c.ts'), e('src/core/c.ts', 'src/core/a.ts')]), ['src/core/a.ts ⇄ src/core/b.ts ⇄ src/core/c.ts']);
  assert.deepEqual(circles([e('src/cli/manifest.ts', 'src/cli/commands/x.ts', true), e('src/cli/commands/x.ts', 'src/cli/manifest.ts')]), [], 'the registry');
  assert.deepEqual(circles([e('src/cli/commands/x.ts', 'src/cli/commands/y.ts', true), e('src/cli/commands/y.ts', 'src/cli/commands/x.ts')]).length, 1, 'a lazy import elsewhere is still a circle');
});

test('every import under src/ resolves to a source file (the scanner reads the tree right)', () => {
  const files = new Set(sourceFiles());
  assert.ok(files.size > 100 && graph.length > files.size, `${files.size} files, ${graph.length} imports`);
  const unresolved = graph.filter((e) => !files.has(e.to) && !fs.existsSync(path.join(repoRoot, e.to)));
  assert.deepEqual(unresolved, []);
  assert.ok(graph.some(isRegistryEdge), 'the registry is seen');
});

test('no arrow from sim, adapters, engine, ports, core or config up to app, cli or the dashboard', () => {
  assert.deepEqual(arrowsUp(graph), []);
});

test('no import circle outside cli\'s command registry', () => {
  assert.deepEqual(circles(graph), []);
});
