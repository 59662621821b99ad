/** `kalshi-alpha orders summary|cancel-all|clear-cancel-all`: outstanding-orders state (SPEC §7.3). */
import { Option } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { BrokerMode } from '../../ports/broker.ts';
import { formatEt } from '../../core/time/et.ts';
import { formatCount, formatDollars } from '../../core/units.ts';
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
  const cmd = program.command('orders').description('outstanding-orders state (data/proc/state/orders.json) and the cancel-all marker');
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
