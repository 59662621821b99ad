// `node --import ./scripts/ts/register.mjs file.ts`: runs this repository's TypeScript (tests, the sources
// they import) without a bundle. The hooks (load.mjs) run on Node's loader thread.
import { register } from 'node:module';

register('./load.mjs', import.meta.url);
