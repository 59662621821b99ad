/** Every file location of SPEC §7, relative to the working root (cwd or KALSHI_ALPHA_HOME). */
import path from 'node:path';

export interface Paths {
  home: string;
  envFile: string;
  configsDir: string;
  indexOpsConfig: string;
  calendarConfig: string;
  eventsConfig: string;
  feesConfig: string;
  ledger: string;
  ledgerArchiveDir: string;
  stateDir: string;
  killSwitch: string;
  ordersState: string;
  hotRestart: string;
  calibDir: string;
  monitorsDir: string;
  reportMd: string;
  fixturesDir: string;
}

export function resolveHome(env: Record<string, string | undefined>, cwd: string): string {
  const home = env.KALSHI_ALPHA_HOME?.trim();
  return path.resolve(cwd, home ? home : '.');
}

export function resolvePaths(home: string, env: Record<string, string | undefined> = {}): Paths {
  const p = (...parts: string[]) => path.join(home, ...parts);
  const ledgerOverride = env.KALSHI_INDEX_PAPER_LEDGER_PATH?.trim();
  return {
    home,
    envFile: p('.env'),
    configsDir: p('configs'),
    indexOpsConfig: p('configs', 'index_ops.yaml'),
    calendarConfig: p('configs', 'calendar.yaml'),
    eventsConfig: p('configs', 'events.yaml'),
    feesConfig: p('configs', 'fees.json'),
    ledger: ledgerOverride ? path.resolve(home, ledgerOverride) : p('data', 'proc', 'ledger', 'index_paper.jsonl'),
    ledgerArchiveDir: p('data', 'proc', 'ledger', 'archive'),
    stateDir: p('data', 'proc', 'state'),
    killSwitch: p('data', 'proc', 'state', 'kill_switch'),
    ordersState: p('data', 'proc', 'state', 'orders.json'),
    hotRestart: p('data', 'proc', 'state', 'hot_restart.json'),
    calibDir: p('data', 'proc', 'calib', 'index'),
    monitorsDir: p('reports', '_artifacts', 'monitors'),
    reportMd: p('REPORT.md'),
    fixturesDir: p('fixtures'),
  };
}
