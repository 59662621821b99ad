/** `kalshi-alpha orders summary|cancel-all|clear-cancel-all|reconcile`: outstanding-orders state (SPEC §7.3). */
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { BrokerMode } from '../../ports/broker.ts';
import { formatEt } from '../../core/time/et.ts';
import { formatCount, formatDollars } from '../../core/units.ts';
import { CheckFailed } from '../errors.ts';
import { reconcileOrders } from '../../app/reconcile-orders.ts';
import { supervisorHolder } from '../../app/supervisor/lock.ts';
import { describeOwner } from '../../adapters/fs/file-lock.ts';
import { assertLiveApproved } from '../../adapters/broker/select-broker.ts';
import { assertPrivateKeyFile } from '../../adapters/fs/key-file.ts';
import { connectKalshi } from '../../adapters/kalshi/factory.ts';
import { OrdersStore, summarizeOrders, BROKER_MODES, type CorruptStateReport, type ModeSummary, type OrdersState } from '../../adapters/state/orders-store.ts';

interface ModeOpt {
  mode?: BrokerMode;
  json?: boolean;
}

const modeOption = (what: string) =>
  new Option('--mode <mode>', `${what} (default: both dry and live)`).choices([...BROKER_MODES]);

function summaryJson(s: ModeSummary) {
  return {
    mode: s.mode,
    outstanding: s.outstanding,
    by_status: s.byStatus,
    contracts: s.contracts,
    cancel_all: s.cancelAll ? { reason: s.cancelAll.reason, at_ms: s.cancelAll.atMs, at_et: formatEt(s.cancelAll.atMs) } : null,
    orders: s.orders.map((o) => ({
      client_order_id: o.clientOrderId,
      ...(o.orderId !== undefined ? { order_id: o.orderId } : {}),
      market: o.marketTicker,
      side: o.side,
      price: formatDollars(o.price),
      size: formatCount(o.size),
      filled: formatCount(o.filled),
      status: o.status,
      submitted_et: formatEt(o.submittedMs),
    })),
  };
}

function summaryText(s: ModeSummary): string {
  const lines = [
    `${s.mode}: ${s.outstanding} outstanding (${s.byStatus.resting} resting, ${s.byStatus.pending} pending, ${s.byStatus.cancel_pending} cancel pending), ${s.contracts} contracts unfilled`,
    s.cancelAll ? `  cancel-all PENDING: ${s.cancelAll.reason} since ${formatEt(s.cancelAll.atMs)}` : '  cancel-all: none',
  ];
  for (const o of s.orders) {
    lines.push(`  ${o.clientOrderId}  ${o.marketTicker}  ${o.side} ${formatCount(o.size)} @ ${formatDollars(o.price)}  filled ${formatCount(o.filled)}  ${o.status}  since ${formatEt(o.submittedMs)}`);
  }
  return lines.join('\n');
}

/** Prints the set-aside notice on stderr and flags the run (exit 1): the operator must look. */
function reportCorrupt(c: CliContext, state: { exitCode: number }, corrupt: CorruptStateReport | undefined): void {
  if (!corrupt) return;
  c.io.err(`kalshi-alpha: ${corrupt.file} was corrupt (${corrupt.reason}); set aside as ${corrupt.setAsidePath}\n`);
  state.exitCode = 1;
}

export const registerOrders: CommandRegistrar = (program, ctx, state) => {
  const cmd = program.command('orders').description(describeCommand('orders'));
  const store = () => new OrdersStore(ctx().paths.ordersState, ctx().clock);
  const modes = (opt: ModeOpt): BrokerMode[] => (opt.mode ? [opt.mode] : [...BROKER_MODES]);
  const print = (opt: ModeOpt, s: OrdersState, extra: Record<string, unknown> = {}) => {
    const summaries = summarizeOrders(s, modes(opt));
    if (opt.json) ctx().json({ ...extra, modes: summaries.map(summaryJson) });
    else ctx().out(summaries.map(summaryText).join('\n'));
  };

  cmd
    .command('summary')
    .description('outstanding orders per mode and any pending cancel-all')
    .addOption(modeOption('only this mode'))
    .option('--json', 'machine-readable output')
    .action((opt: ModeOpt) => {
      const r = store().read();
      reportCorrupt(ctx(), state, r.corrupt);
      print(opt, r.state);
    });

  cmd
    .command('cancel-all')
    .description('mark a pending cancel-all (reason + time): the supervisor cancels every order and clears it')
    .requiredOption('--reason <text>', 'why (e.g. operator, kalshi_maintenance)')
    .addOption(modeOption('mark only this mode'))
    .option('--json', 'machine-readable output')
    .action((opt: ModeOpt & { reason: string }) => {
      const reason = opt.reason.trim();
      if (!reason) throw new UsageError('--reason must not be empty');
      const r = store().markCancelAll(opt.mode ?? 'all', reason);
      reportCorrupt(ctx(), state, r.corrupt);
      if (!opt.json) ctx().out(`cancel-all marked for ${modes(opt).join(' and ')}: ${reason}`);
      print(opt, r.state, { marked: true });
    });

  cmd
    .command('reconcile')
    .description('compare orders.json with the truth (dry: the paper ledger; live: the exchange) and print the differences; --apply fixes them')
    .addOption(new Option('--mode <mode>', 'which broker to reconcile').choices([...BROKER_MODES]).default('dry'))
    .option('--apply', 'rewrite orders.json from the truth (live: also cancel orphans; needs KALSHI_LIVE_APPROVED=yes); refused while a supervisor runs')
    .option('--json', 'machine-readable output')
    .action(async (opt: { mode: BrokerMode; apply?: boolean; json?: boolean }) => {
      const c = ctx();
      if (opt.apply) {
        const holder = supervisorHolder(c.paths);
        if (holder) throw new CheckFailed(`a supervisor is running on this root (${describeOwner(holder)}): it reconciles on every start; not applying behind its back`);
        if (opt.mode === 'live') {
          try {
            assertLiveApproved(c.rawEnv.KALSHI_LIVE_APPROVED, '--mode live --apply');
          } catch (e) {
            throw new UsageError((e as Error).message);
          }
        }
      }
      let rest;
      if (opt.mode === 'live') {
        const env = c.env;
        if (!env.KALSHI_API_KEY_ID || !env.KALSHI_PRIVATE_KEY_PEM_PATH) throw new CheckFailed('live reconcile needs KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM_PATH');
        assertPrivateKeyFile(env.KALSHI_PRIVATE_KEY_PEM_PATH);
        rest = connectKalshi({ clock: c.clock, env, rateLimits: c.config.kalshi }).rest;
      }
      const d = await reconcileOrders({ mode: opt.mode, store: store(), ledgerFile: c.paths.ledger, rest, clock: c.clock, apply: Boolean(opt.apply) });
      const differs = d.onlyLocal.length + d.onlyTruth.length + d.mismatched.length;
      if (opt.json) {
        c.json({
          mode: d.mode,
          truth: d.truth,
          in_sync: d.inSync,
          only_local: d.onlyLocal.map((o) => o.clientOrderId),
          only_truth: d.onlyTruth.map((o) => ({ client_order_id: o.clientOrderId, market: o.marketTicker, side: o.side, price: formatDollars(o.price), size: formatCount(o.size), filled: formatCount(o.filled) })),
          mismatched: d.mismatched.map((m) => ({ client_order_id: m.local.clientOrderId, local: { price: formatDollars(m.local.price), size: formatCount(m.local.size), filled: formatCount(m.local.filled) }, truth: { price: formatDollars(m.truth.price), size: formatCount(m.truth.size), filled: formatCount(m.truth.filled) } })),
          applied: d.applied ?? null,
        });
      } else {
        c.out(`${d.mode} vs ${d.truth}: ${d.inSync} in sync, ${differs} different`);
        for (const o of d.onlyLocal) c.out(`  only in orders.json (no longer resting per the ${d.truth}): ${o.clientOrderId} ${o.marketTicker}`);
        for (const o of d.onlyTruth) c.out(`  resting per the ${d.truth}, not in orders.json${d.mode === 'live' ? ' (orphan)' : ''}: ${o.clientOrderId} ${o.marketTicker} ${o.side} ${formatCount(o.size)} @ ${formatDollars(o.price)}`);
        for (const m of d.mismatched) c.out(`  differs: ${m.local.clientOrderId} orders.json filled ${formatCount(m.local.filled)} vs ${formatCount(m.truth.filled)}`);
        if (d.applied) c.out(`applied: orders.json rewritten${d.applied.cancelled.length ? `; cancelled ${d.applied.cancelled.length} orphan(s)` : ''}`);
      }
      if (differs > 0 && !d.applied) state.exitCode = 1;
    });

  cmd
    .command('clear-cancel-all')
    .description('clear the pending cancel-all marker (normally the supervisor does this once it has cancelled)')
    .addOption(modeOption('clear only this mode'))
    .option('--json', 'machine-readable output')
    .action((opt: ModeOpt) => {
      const r = store().clearCancelAll(opt.mode ?? 'all');
      reportCorrupt(ctx(), state, r.corrupt);
      if (!opt.json) ctx().out(`cancel-all cleared for ${modes(opt).join(' and ')}`);
      print(opt, r.state, { cleared: true });
    });
};
