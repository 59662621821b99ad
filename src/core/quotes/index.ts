/** Public surface of maker-only quote selection (SPEC §5.5). */
export * from './client-order-id.ts';
export * from './grid.ts';
export * from './top-of-book.ts';
export * from './select.ts';
export * from './refresh.ts';
export * from './ladder.ts';
export * from './margin.ts';
export * from './fill-prob.ts';
