/**
 * The simulator's macro calendar (sim/day/macro-calendar.ts) as a `configs/events.yaml` for a date range, so
 * that `calibrate --bars` / `evaluate --bars` on `sim bars` output know the generated days' event times — as
 * an operator lists the real release calendar for real bars:
 *
 *   node --import tsx test/eval/sim-events-yaml.ts --from 2026-01-05 --to 2026-04-30 > HOME/configs/events.yaml
 *
 * Test tooling, not product.
 */
import { SIM_MACRO_CALENDAR } from '../../src/sim/day/macro-calendar.ts';
import { addDays } from '../../src/core/time/et.ts';

const args = process.argv.slice(2);
const arg = (n: string) => args[args.indexOf(`--${n}`) + 1]!;
const lines = ['# the simulator macro calendar (test/eval/sim-events-yaml.ts)', 'days:'];
for (let d = arg('from'); d <= arg('to'); d = addDays(d, 1)) {
  for (const e of SIM_MACRO_CALENDAR.on(d)) lines.push(`  - date: ${d}`, `    tags: [${e.tag}]`, ...(e.timeEt ? [`    time: "${e.timeEt}"`] : []));
}
console.log(lines.join('\n'));
