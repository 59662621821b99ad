// The fingerprint of src/ (paths, sizes, mtimes): the bundle in dist/ is used only while it was built from
// exactly these sources, so an edited checkout never runs stale code. Plain JS: the entry point reads it
// before anything is compiled, on every start — so it stays cheap: one directory walk and the listing
// compared as text (a few KB; loading node:crypto to hash it cost more than the walk).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, 'build-stamp.json');

export function sourceFingerprint() {
  let listing = '';
  // Plain string paths and a plain sort: path.join/relative per file and localeCompare (ICU's collation)
  // tripled the cost of this walk in a fresh process.
  const walk = (dir, rel) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`, `${rel}${e.name}/`);
      else if (e.name.endsWith('.ts')) {
        const st = fs.statSync(`${dir}/${e.name}`);
        listing += `${rel}${e.name} ${st.size} ${st.mtimeMs}\n`;
      }
    }
  };
  walk(path.join(ROOT, 'src'), 'src/');
  return listing;
}

/** True when dist/ holds a bundle built from the current sources. */
export function bundleFresh() {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    return stamp.fingerprint === sourceFingerprint() && fs.existsSync(path.join(DIST, 'kalshi-alpha.js'));
  } catch {
    return false;
  }
}
