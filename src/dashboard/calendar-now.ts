/**
 * What the trading calendar says of a wall-clock instant, for alerting: whether the cash session is open
 * (09:30 ET to the day's close: 16:00, or 13:00 on an early close; never on a weekend or holiday) and which
 * window, if any, is open for quoting (start ≤ now < freeze).
 *
 * Why here and not in PromQL: Prometheus' time functions (`hour()`, `day_of_week()`) are UTC only, so an
 * expression cannot follow New York's DST switches, holidays or early closes; the calendar can. The
 * dashboard exports both as gauges (`kalshi_alpha_cash_session_open`, `kalshi_alpha_calendar_window_open`)
 * so that deploy/prometheus/alerts.yml can say "during cash hours" / "during a window" correctly all year.
 */
import { REGULAR_OPEN_ET, type TradingCalendar } from '../core/calendar/index.ts';
import { windowsForDay, type WindowsConfig } from '../core/windows.ts';
import { etDateOf, etToMs } from '../core/time/et.ts';

export interface CalendarNow {
  cash_session_open: boolean | null;
  calendar_window: string | null;
}

/** Pure; null/null outside the calendar's years (it throws there: nothing is known, nothing is claimed). */
export function calendarNow(nowMs: number, calendar: TradingCalendar, cfg: WindowsConfig): CalendarNow {
  try {
    const day = etDateOf(nowMs);
    const session = calendar.session(day);
    const open = session.status !== 'closed' && session.closeEt !== null && nowMs >= etToMs(day, REGULAR_OPEN_ET) && nowMs < etToMs(day, session.closeEt);
    const w = windowsForDay(day, calendar, cfg).find((x) => x.startMs <= nowMs && nowMs < x.freezeMs);
    return { cash_session_open: open, calendar_window: w?.label ?? null };
  } catch {
    return { cash_session_open: null, calendar_window: null };
  }
}
