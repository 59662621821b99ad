/**
 * The installed package's root (where package.json, fixtures/ and the dashboard's assets live), found by
 * walking up from this module — the same answer whether the code runs from `src/` through tsx or from the
 * built bundle in `dist/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kalshi-alpha') return (root = dir);
      } catch {
        // not ours: keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('kalshi-alpha: cannot find the package root (package.json) above the running code');
    dir = up;
  }
}
