/**
 * The file format of `data/proc/state/orders.json`, version 1 (SPEC §7.2): the one schema, owned by its
 * writer (orders-store.ts) and imported by every reader (the dashboard reads it without the store's lock
 * and without setting a bad file aside, but validates the same bytes the same way).
 *
 * Money in dollars as JSON numbers (≤ 4 decimals), counts in contracts (≤ 2 decimals), instants as epoch ms
 * plus an ET rendering — the same conventions as the paper ledger. Orders are keyed by their
 * `client_order_id`; a key that names another order makes the file invalid.
 */
import { z } from 'zod';

const dollars4 = z.number().refine((x) => Math.abs(x * 1e4 - Math.round(x * 1e4)) < 1e-6, 'expected dollars with at most 4 decimals');
const contracts2 = z.number().nonnegative().refine((x) => Math.abs(x * 100 - Math.round(x * 100)) < 1e-6, 'expected contracts with at most 2 decimals');

export const OrderEntrySchema = z.strictObject({
  client_order_id: z.string().min(1),
  order_id: z.string().min(1).optional(),
  market: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  price: dollars4.refine((x) => x > 0 && x < 1, 'expected a YES price strictly between 0 and 1'),
  size: contracts2,
  filled: contracts2,
  status: z.enum(['pending', 'resting', 'cancel_pending']),
  submitted_ms: z.number().int().nonnegative(),
  submitted_et: z.string(),
  updated_ms: z.number().int().nonnegative(),
});

const MarkerSchema = z.strictObject({ reason: z.string().min(1), at_ms: z.number().int().nonnegative(), at_et: z.string() });

const ModeSchema = z.strictObject({
  orders: z.record(z.string(), OrderEntrySchema).superRefine((orders, ctx) => {
    for (const [key, o] of Object.entries(orders)) {
      if (key !== o.client_order_id) ctx.addIssue({ code: 'custom', path: [key], message: 'key does not match its client_order_id' });
    }
  }),
  cancel_all: MarkerSchema.nullable(),
});

export const OrdersFileSchema = z.strictObject({
  version: z.literal(1),
  updated_ms: z.number().int().nonnegative().nullable(),
  updated_et: z.string().nullable(),
  modes: z.strictObject({ dry: ModeSchema, live: ModeSchema }),
});
export type OrdersFile = z.infer<typeof OrdersFileSchema>;
