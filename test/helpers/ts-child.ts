/**
 * The exec arguments that let a child Node process (fork/spawn of a `.ts` fixture) run this repository's
 * TypeScript the way the test runner's own processes do: scripts/ts/register.mjs, which reads the run's
 * compiled files (KA_TS_CACHE, inherited from scripts/run-tests.mjs) and type-strips anything else itself.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';

export const TS_EXEC_ARGV: readonly string[] = ['--enable-source-maps', '--import', pathToFileURL(path.resolve(import.meta.dirname, '../../scripts/ts/register.mjs')).href];
