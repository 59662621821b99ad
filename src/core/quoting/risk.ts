/**
 * The day's loss cap across every series and window (SPEC §5.5 risk limits): windows of different series
 * run concurrently, so each one's budget is the cap minus the day's realised losses, minus the worst case
 * of every open filled position, minus what the *other* series already have resting (a series' own resting
 * orders are re-admitted by its quote selection against the budget it is given).
 */
import { PIPS_PER_DOLLAR } from '../units.ts';
import { liveOrders, openWorstPips, restingWorstPips, type SeriesQuotingState } from './state.ts';

export class DayRisk {
  private readonly states = new Set<SeriesQuotingState>();
  /** Realised PnL carried from windows that are no longer registered (micro-dollars). */
  private carriedPnlMicros = 0;

  constructor(
    readonly dateEt: string,
    readonly dailyLossCapUsd: number,
  ) {}

  register(s: SeriesQuotingState): void {
    this.states.add(s);
  }

  /** A finished window leaves: its realised PnL stays in the day; it has nothing open any more. */
  retire(s: SeriesQuotingState): void {
    if (!this.states.delete(s)) return;
    this.carriedPnlMicros += s.realizedPnlMicros;
  }

  /** Retires every window that has nothing left open (no live order, every fill settled): budgets are unchanged. */
  retireDone(): void {
    for (const s of [...this.states]) if (liveOrders(s).length === 0 && openWorstPips(s) === 0) this.retire(s);
  }

  realizedPnlMicros(): number {
    let sum = this.carriedPnlMicros;
    for (const s of this.states) sum += s.realizedPnlMicros;
    return sum;
  }

  /** Remaining loss budget for `s` (pips, never negative). */
  budgetPips(s: SeriesQuotingState): number {
    const cap = Math.round(this.dailyLossCapUsd * PIPS_PER_DOLLAR);
    const realizedPips = Math.floor(this.realizedPnlMicros() / 100);
    let committed = 0;
    for (const other of this.states) {
      committed += openWorstPips(other);
      if (other !== s) committed += restingWorstPips(other);
    }
    return Math.max(0, cap + Math.min(0, realizedPips) - committed);
  }
}
