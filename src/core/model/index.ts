/** Public surface of the pricing model (SPEC §5.2). */
export * from './distributions.ts';
export * from './curve.ts';
export * from './forecast.ts';
export * from './conditions.ts';
export * from './ladder-pricing.ts';
export * from './model-spec.ts';
export * from './calibration-choice.ts';
