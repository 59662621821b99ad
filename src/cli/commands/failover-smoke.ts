/**
 * `kalshi-alpha failover-smoke --dry-run [--json]` (SPEC §2, §6.4): rehearses the dual-feed failover
 * offline on a virtual clock with in-process feeds, through the real failover code, and checks every
 * transition happens at its exact virtual instant. Exit 0 when all do, 1 with the differences otherwise,
 * 2 without `--dry-run` (only the offline rehearsal exists).
 */
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { UsageError } from '../errors.ts';
import { formatEt, formatUtc } from '../../core/time/et.ts';
import { runFailoverScenario, type FailoverScenarioResult } from '../../app/failover-scenario.ts';

export const registerFailoverSmoke: CommandRegistrar = (program, ctx, state) => {
  program
    .command('failover-smoke')
    .description(describeCommand('failover-smoke'))
    .option('--dry-run', 'run the scripted offline rehearsal (the only mode)')
    .option('--json', 'machine-readable output')
    .action(async (opt: { dryRun?: boolean; json?: boolean }) => {
      if (!opt.dryRun) throw new UsageError('failover-smoke: only the offline rehearsal exists; run it with --dry-run');
      const feeds = ctx().config.feeds;
      let result: FailoverScenarioResult;
      try {
        result = await runFailoverScenario({ sloMs: feeds.failover_slo_ms, returnAfterMs: feeds.return_after_ms });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      if (opt.json) ctx().json(toJson(result));
      else ctx().out(toText(result));
      if (!result.ok) state.exitCode = 1;
    });
};

function toJson(r: FailoverScenarioResult) {
  return {
    ok: r.ok,
    params: { failover_slo_ms: r.params.sloMs, return_after_ms: r.params.returnAfterMs, tick_interval_ms: r.params.tickIntervalMs },
    start_et: formatEt(r.startMs),
    start_utc: formatUtc(r.startMs),
    actions: r.actions.map((a) => ({ offset_ms: a.at - r.startMs, at_et: formatEt(a.at), at_utc: formatUtc(a.at), feed: a.feed, action: a.action })),
    transitions: r.actual.map((t, i) => ({
      n: i + 1,
      offset_ms: t.at - r.startMs,
      at_et: formatEt(t.at),
      at_utc: formatUtc(t.at),
      from: t.from,
      to: t.to,
      reason: t.reason,
      ages_ms: t.ages,
      expected_offset_ms: r.expected[i] ? r.expected[i]!.at - r.startMs : null,
      match: isMatch(r, i),
    })),
    expected: r.expected.map((e, i) => ({ n: i + 1, offset_ms: e.at - r.startMs, at_et: formatEt(e.at), at_utc: formatUtc(e.at), from: e.from, to: e.to, reason: e.reason, step: e.step })),
    mismatches: r.mismatches,
  };
}

function isMatch(r: FailoverScenarioResult, i: number): boolean {
  const a = r.actual[i];
  const e = r.expected[i];
  return !!a && !!e && a.at === e.at && a.from === e.from && a.to === e.to && a.reason === e.reason;
}

function toText(r: FailoverScenarioResult): string {
  const sec = (ms: number) => `+${((ms - r.startMs) / 1000).toFixed(3)}s`;
  const age = (v: number | null) => (v === null ? 'none' : `${v}ms`);
  const lines = [
    `failover-smoke (dry run): SLO ${r.params.sloMs} ms, return after ${r.params.returnAfterMs} ms, ticks every ${r.params.tickIntervalMs} ms; virtual start ${formatEt(r.startMs)} (${formatUtc(r.startMs)})`,
  ];
  for (const a of r.actions) lines.push(`  ${sec(a.at).padStart(9)}  ${formatEt(a.at)}  ${formatUtc(a.at)}  script: ${a.feed} ${a.action}`);
  r.actual.forEach((t, i) => {
    const mark = isMatch(r, i) ? 'ok' : 'MISMATCH';
    lines.push(
      `#${i + 1} ${sec(t.at).padStart(9)}  ${formatEt(t.at)}  ${formatUtc(t.at)}  ${t.from} → ${t.to}  ${t.reason}  (age polygon=${age(t.ages.polygon)} massive=${age(t.ages.massive)})  ${mark}`,
    );
  });
  if (r.ok) lines.push(`failover-smoke: OK — ${r.actual.length}/${r.expected.length} transitions at the expected virtual times`);
  else {
    lines.push(`failover-smoke: FAILED — ${r.mismatches.length} difference(s):`);
    for (const m of r.mismatches) lines.push(`  ${m}`);
  }
  return lines.join('\n');
}
