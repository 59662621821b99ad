/**
 * The arrows point one way (docs/ARCHITECTURE.md): core ← ports ← engine ← adapters ← app ← cli, config under
 * adapters, sim beside adapters on ports and core only (used by app presets, which compose it with adapters),
 * the dashboard beside cli. Read from every import under
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
  // sim: ports and core only, plus config, which sits under adapters (a simulated day may take its schema types);
  // never adapters: app composes a simulator with them.
  sim: ['core', 'ports', 'config'],
  app: ['core', 'ports', 'engine', 'config', 'adapters', 'sim'],
  dashboard: ['core', 'ports', 'engine', 'config', 'adapters', 'sim', 'app'],
  cli: ['core', 'ports', 'engine', 'config', 'adapters', 'sim', 'app', 'dashboard'],
};

/**
 * Arrows against the layering still allowed, each with the work that removes it; the list only shrinks (an
 * entry no import needs any more fails below, so it comes off when that work lands). Empty: the in-process
 * day, the last part of sim on adapters, moved up to app/replay/ (inprocess-day.ts, inprocess-venue.ts).
 */
const NOT_YET_MOVED: { fromPrefix: string; toArea: string; why: string }[] = [];
const notYetMoved = (e: Edge) => NOT_YET_MOVED.find((x) => e.from.startsWith(x.fromPrefix) && areaOf(e.to) === x.toArea);

/** The command registry: manifest.ts's `import()` of each command module, the one circle there is by design. */
const isRegistryEdge = (e: Edge) => e.dynamic && e.from === 'src/cli/manifest.ts' && e.to.startsWith('src/cli/commands/');

export function arrowsUp(edges: Edge[]): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const from = areaOf(e.from);
    const to = areaOf(e.to);
    const allowed = MAY_IMPORT[from];
    if (!allowed) bad.push(`${e.from}: area "${from}" has no place in the layering`);
    else if (from !== to && !allowed.includes(to) && !notYetMoved(e)) bad.push(`${e.from} → ${e.to} (${from} may import ${allowed.join(', ') || 'only itself'})`);
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
  assert.deepEqual(arrowsUp([e('src/sim/market/day.ts', 'src/app/market-adapters.ts'), e('src/core/a.ts', 'src/ports/clock.ts'), e('src/cli/main.ts', 'src/core/a.ts')]), [
    'src/sim/market/day.ts → src/app/market-adapters.ts (sim may import core, ports, config)',
    'src/core/a.ts → src/ports/clock.ts (core may import only itself)',
  ]);
  // sim on adapters fails everywhere (sim/inprocess/ was the last exempt folder; its day moved to app/replay/).
  assert.deepEqual(arrowsUp([
    e('src/sim/kalshi/server.ts', 'src/adapters/kalshi/auth.ts'),
    e('src/sim/massive/x.ts', 'src/adapters/clock/virtual-clock.ts'),
    e('src/sim/inprocess-like/x.ts', 'src/adapters/feeds/dual-feed.ts'),
    e('src/sim/inprocess/day.ts', 'src/adapters/feeds/dual-feed.ts'),
    e('src/sim/inprocess/day.ts', 'src/engine/series-window.ts'),
    e('src/sim/kalshi/x.ts', 'src/config/index-ops.ts'),
  ]), [
    'src/sim/kalshi/server.ts → src/adapters/kalshi/auth.ts (sim may import core, ports, config)',
    'src/sim/massive/x.ts → src/adapters/clock/virtual-clock.ts (sim may import core, ports, config)',
    'src/sim/inprocess-like/x.ts → src/adapters/feeds/dual-feed.ts (sim may import core, ports, config)',
    'src/sim/inprocess/day.ts → src/adapters/feeds/dual-feed.ts (sim may import core, ports, config)',
    'src/sim/inprocess/day.ts → src/engine/series-window.ts (sim may import core, ports, config)',
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

test('no arrow from sim, adapters, engine, ports, core or config up to app, cli or the dashboard, nor from sim to adapters', () => {
  assert.deepEqual(arrowsUp(graph), []);
});

test('each arrow still allowed against the layering is still needed (the list only shrinks)', () => {
  const unused = NOT_YET_MOVED.filter((x) => !graph.some((e) => e.from.startsWith(x.fromPrefix) && areaOf(e.to) === x.toArea));
  assert.deepEqual(unused.map((x) => `${x.fromPrefix} → ${x.toArea} (${x.why})`), [], 'no import needs it any more: take it off NOT_YET_MOVED');
});

test('no import circle outside cli\'s command registry', () => {
  assert.deepEqual(circles(graph), []);
});
