#!/usr/bin/env node
// Entry point: the built bundle (dist/, made by the install step) when it was built from the current
// sources; otherwise the TypeScript sources through tsx (a checkout being edited), so nothing stale runs.
import { bundleFresh } from '../scripts/build-stamp.mjs';

if (bundleFresh()) {
  await import('../dist/kalshi-alpha.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
