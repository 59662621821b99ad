/**
 * `kalshi-alpha monitors [--json]` (SPEC §7.5): rewrites `freshness.json` and `ev_gap.json` from the
 * current state — the running supervisor's snapshot (`hot_restart.json`). Without a live supervisor the
 * files say so: no active feed, required feeds not ok.
 */
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { readSnapshot } from '../../app/snapshot.ts';
import { writeFreshnessMonitor } from '../../adapters/monitors/freshness.ts';
import { buildEvGapReport, writeEvGapMonitor } from '../../adapters/monitors/ev-gap.ts';

export const registerMonitors: CommandRegistrar = (program, ctx) => {
  program
    .command('monitors')
    .description(describeCommand('monitors'))
    .option('--json', 'print both reports as JSON')
    .action((opt: { json?: boolean }) => {
      const c = ctx();
      const now = c.clock.now();
      const read = readSnapshot(c.paths.hotRestart, now, { futureToleranceMs: Number.POSITIVE_INFINITY });
      const snap = read.kind === 'ok' ? read.snapshot : undefined;
      // The snapshot's own clock (virtual in a simulated session) dates the reports it describes.
      const at = snap?.captured_ms ?? now;
      const w = snap?.active_window ?? null;
      const feeds = snap?.feeds ?? null;
      const thresholds = { softMs: c.config.freshness.soft_ms, strictMs: c.config.freshness.strict_ms };
      const freshness = writeFreshnessMonitor(c.paths.monitorsDir, {
        nowMs: at,
        window: w ? { id: w.id, label: w.label, strictMs: w.strict_ms } : null,
        thresholds,
        ages: { polygon: feeds?.polygon.age_ms ?? null, massive: feeds?.massive.age_ms ?? null },
        dualFeed: { active: feeds?.active ?? 'stand_down', lastSwitchAt: feeds?.last_switch_ms ?? null, switches: feeds?.switches ?? 0 },
      });
      const evGap = writeEvGapMonitor(c.paths.monitorsDir, buildEvGapReport(at, w?.label ?? null, freshness.required_feeds_ok, feeds?.active ?? null, snap?.ev_gap ?? {}));
      const status = !snap ? `no supervisor snapshot (${read.kind === 'invalid' ? read.reason : 'missing'})` : snap.running ? 'supervisor snapshot' : 'supervisor stopped (last snapshot)';
      if (opt.json) c.json({ source: status, freshness, ev_gap: evGap });
      else {
        c.out(`monitors rewritten from ${status}: ${c.paths.monitorsDir}`);
        c.out(`  freshness: required_feeds_ok=${freshness.required_feeds_ok} active=${freshness.dual_feed.active} alert=${freshness.alert.alert} (${freshness.alert.consecutive_windows} window(s))`);
        c.out(`  ev_gap: ${evGap.window_gap.markets} market(s), max ${evGap.window_gap.max_abs_gap_cents}¢, mean ${evGap.window_gap.mean_abs_gap_cents}¢`);
      }
    });
};
