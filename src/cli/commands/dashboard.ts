/** `kalshi-alpha dashboard`: the operator's live page and `/metrics` (SPEC §8); reads files only. */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { UsageError } from '../errors.ts';
import { startDashboard, DashboardConfigError } from '../../dashboard/server.ts';

interface DashboardFlags {
  port: number;
  host: string;
  token?: string;
  killSwitchFile?: string;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0…65535, got "${v}"`);
  return n;
}

export const registerDashboard: CommandRegistrar = (program, ctx) => {
  program
    .command('dashboard')
    .description(describeCommand('dashboard'))
    .option('--port <n>', 'TCP port (0: any free port; the bound URL is printed)', parsePort, 8787)
    .option('--host <addr>', 'address to bind; anything but loopback requires --token', '127.0.0.1')
    .option('--token <token>', 'require this token on every request (Authorization: Bearer <token>, or ?token= in the URL)')
    .option('--kill-switch-file <path>', 'kill-switch sentinel to show (default data/proc/state/kill_switch)')
    .action(async (opt: DashboardFlags) => {
      const c = ctx();
      const signal = c.io.signal;
      if (signal?.aborted) return;
      let dash;
      try {
        dash = await startDashboard({
          paths: c.paths,
          killSwitchFile: opt.killSwitchFile ? path.resolve(c.home, opt.killSwitchFile) : c.paths.killSwitch,
          calendar: c.calendar,
          windowsConfig: c.config.windows,
          freshness: { softMs: c.config.freshness.soft_ms, strictMs: c.config.freshness.strict_ms },
          now: () => c.clock.now(),
          host: opt.host,
          port: opt.port,
          token: opt.token,
        });
      } catch (e) {
        if (e instanceof DashboardConfigError) throw new UsageError(e.message);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
          throw new UsageError(`cannot listen on ${opt.host}:${opt.port} (${code})`);
        }
        throw e;
      }
      c.out(`dashboard listening on ${dash.url}${opt.token !== undefined ? ' (token required)' : ''}`);
      c.out(`reading ${c.paths.home}: snapshot, orders.json, ledger, monitors, REPORT.md, kill switch; metrics at ${dash.url}metrics`);
      await new Promise<void>((resolve) => {
        if (!signal) return; // runs until the process is killed
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await dash.close();
      c.out('dashboard stopped');
    });
};
