// The fingerprint of src/ (paths, sizes, mtimes): the bundle in dist/ is used only while it was built from
// exactly these sources, so an edited checkout never runs stale code. Plain JS: the entry point reads it
// before anything is compiled.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, 'build-stamp.json');

export function sourceFingerprint() {
  const h = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const st = fs.statSync(p);
        h.update(`${path.relative(ROOT, p)}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return h.digest('hex');
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
