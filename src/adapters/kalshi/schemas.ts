/**
 * zod schemas of the Kalshi wire shapes we read (REST responses, WS frames), as of late 2026 (reference §3–4),
 * held against Kalshi's official definitions: the generated models of the `kalshi-typescript` SDK 3.30.0
 * (`node_modules/kalshi-typescript/models/*.ts`), the per-operation OpenAPI fragments and the AsyncAPI of
 * docs.kalshi.com (test/conformance/ lists the sources field by field).
 *
 * - Everything those definitions allow is accepted: optional fields may be absent, nullable ones null
 *   (`.nullish()`), and unknown extra fields are ignored (objects strip them).
 * - Money and counts are validated as exact decimals at the boundary, so the converters never meet a
 *   string they cannot turn into integers: order prices on the $0.0001 grid (`PriceDollars`; responses may
 *   pad them to 6 places, "0.560000"), other amounts — fees, costs, balances, PnL — to 6 places
 *   (`AmountDollars`), counts to 0.01 contract (`CountFp`).
 *
 * One module to import them all by (`import * as S from './schemas.ts'`): the exact decimals and order
 * vocabulary both sides carry (wire-values.ts), the REST bodies (rest-schemas.ts) and the websocket frames
 * (ws-schemas.ts).
 */
export * from './wire-values.ts';
export * from './rest-schemas.ts';
export * from './ws-schemas.ts';
