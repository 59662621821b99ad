/**
 * NYSE full-day closures and 13:00 ET early closes, 2025–2027 (SPEC §4). A table, not rules: ad-hoc
 * closures (days of mourning) exist and rules drift. Sources: NYSE Group 2025–2027 holiday calendar release
 * (2024-11-08); Carter day of mourning 2025-01-09 (NYSE announcement 2024-12-30); 2025 Dec 24/26 hours
 * unchanged by the federal executive order. Veterans Day and Columbus Day are trading days.
 * Facts collected in shared/reference/polygon_massive.md §4.1. Rules are only a test oracle.
 */

export const TABLE_FIRST_YEAR = 2025;
export const TABLE_LAST_YEAR = 2027;

export interface TableEntry {
  date: string;
  name: string;
}

export const FULL_CLOSURES: readonly TableEntry[] = [
  { date: '2025-01-01', name: "New Year's Day" },
  { date: '2025-01-09', name: 'National Day of Mourning (President Carter)' },
  { date: '2025-01-20', name: 'Martin Luther King Jr. Day' },
  { date: '2025-02-17', name: "Washington's Birthday" },
  { date: '2025-04-18', name: 'Good Friday' },
  { date: '2025-05-26', name: 'Memorial Day' },
  { date: '2025-06-19', name: 'Juneteenth' },
  { date: '2025-07-04', name: 'Independence Day' },
  { date: '2025-09-01', name: 'Labor Day' },
  { date: '2025-11-27', name: 'Thanksgiving Day' },
  { date: '2025-12-25', name: 'Christmas Day' },

  { date: '2026-01-01', name: "New Year's Day" },
  { date: '2026-01-19', name: 'Martin Luther King Jr. Day' },
  { date: '2026-02-16', name: "Washington's Birthday" },
  { date: '2026-04-03', name: 'Good Friday' },
  { date: '2026-05-25', name: 'Memorial Day' },
  { date: '2026-06-19', name: 'Juneteenth' },
  { date: '2026-07-03', name: 'Independence Day (observed)' },
  { date: '2026-09-07', name: 'Labor Day' },
  { date: '2026-11-26', name: 'Thanksgiving Day' },
  { date: '2026-12-25', name: 'Christmas Day' },

  { date: '2027-01-01', name: "New Year's Day" },
  { date: '2027-01-18', name: 'Martin Luther King Jr. Day' },
  { date: '2027-02-15', name: "Washington's Birthday" },
  { date: '2027-03-26', name: 'Good Friday' },
  { date: '2027-05-31', name: 'Memorial Day' },
  { date: '2027-06-18', name: 'Juneteenth (observed)' },
  { date: '2027-07-05', name: 'Independence Day (observed)' },
  { date: '2027-09-06', name: 'Labor Day' },
  { date: '2027-11-25', name: 'Thanksgiving Day' },
  { date: '2027-12-24', name: 'Christmas Day (observed)' },
];

/** 13:00 ET closes. 2026 and 2027 have no July early close (Jul 3 2026 is the holiday; Jul 2 2027 is a full day). */
export const EARLY_CLOSES: readonly TableEntry[] = [
  { date: '2025-07-03', name: 'Day before Independence Day' },
  { date: '2025-11-28', name: 'Day after Thanksgiving' },
  { date: '2025-12-24', name: 'Christmas Eve' },
  { date: '2026-11-27', name: 'Day after Thanksgiving' },
  { date: '2026-12-24', name: 'Christmas Eve' },
  { date: '2027-11-26', name: 'Day after Thanksgiving' },
];

/** The cash session's open (the same on every trading day, early closes included). */
export const REGULAR_OPEN_ET = '09:30';
export const REGULAR_CLOSE_ET = '16:00';
export const EARLY_CLOSE_ET = '13:00';
