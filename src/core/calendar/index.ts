export * from './calendar.ts';
export * from './nyse-table.ts';
