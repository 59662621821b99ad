/**
 * Paper ledger and paper exchange costs under the writer's documented durability policy
 * (ledger-writer.ts: every append is written and fdatasync'ed before it returns; group commit for a batch):
 * one durable append, a group commit of 10, an append without fdatasync (replays only), reading back with
 * validation, and paper matching. Durable appends depend on the disk: the file system is an extra field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latency, rate, type Report } from './harness.ts';
import { LedgerWriter } from '../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../src/adapters/ledger/ledger-reader.ts';
// The ledger tests' quote record, built through the real record builder.
import { quoteInput as input } from '../test/ledger/fixtures/records.ts';
import { PaperExchange } from '../src/core/paper/exchange.ts';
import type { OrderBook, Trade } from '../src/core/market.ts';


export default async function run(report: Report): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-'));
  const disk = tmpFsType(dir);
  try {
    let i = 0;
    const durable = LedgerWriter.open(path.join(dir, 'durable.jsonl'));
    report(latency('ledger append (write + fdatasync)', () => durable.append(input(i++)), { iterations: 500, warmup: 50, unit: 'ms', target: '<= 5 ms', extra: { fs: disk } }));
    const batch = Array.from({ length: 10 }, (_, k) => input(k));
    report(latency('ledger appendBatch of 10 (one fdatasync)', () => durable.appendBatch(batch), { iterations: 200, warmup: 20, unit: 'ms', target: '<= 5 ms', extra: { fs: disk } }));
    durable.close();
    const fast = LedgerWriter.open(path.join(dir, 'fast.jsonl'), { durability: 'none' });
    report(latency('ledger append (no fdatasync: replay only)', () => fast.append(input(i++)), { iterations: 20_000, unit: 'us', target: '<= 20 us' }));
    fast.close();
    const file = path.join(dir, 'fast.jsonl');
    const lines = readLedgerFile(file).records.length;
    report(rate('ledger read + validate', lines, () => void readLedgerFile(file), { rounds: 5, unit: 'records/s', target: '>= 100000 records/s', extra: { records: lines } }));

    // Paper matching: 4 resting orders, alternating book updates and trades.
    const ex = new PaperExchange({ fee: () => 0 });
    const t = 'KXINXU-26NOV20H1000-T6800';
    const book = (k: number): OrderBook => ({ ticker: t, yesBids: [{ price: 5000, size: 300 + (k % 50) }, { price: 4900, size: 500 }], noBids: [{ price: 4900, size: 200 }], tsMs: k });
    ex.onBook(book(0), 0);
    for (const [id, side, price] of [['a', 'buy', 4800], ['b', 'buy', 4700], ['c', 'sell', 5300], ['d', 'sell', 5400]] as const) {
      ex.place({ clientOrderId: id, marketTicker: t, side, price, size: 1_000_000, postOnly: true }, 0);
    }
    const trade = (k: number): Trade => ({ ticker: t, tradeId: String(k), price: 5000 + (k % 3) * 100, size: 10, takerSide: k % 2 ? 'yes' : 'no', tsMs: k });
    const N = 100_000;
    let k0 = 0;
    report(
      rate('paper exchange: book or trade events', N, () => {
        for (let k = k0; k < k0 + N; k++) if (k % 2) ex.onBook(book(k), k); else ex.onTrade(trade(k), k);
        k0 += N;
      }, { rounds: 5, unit: 'events/s', target: '>= 500000 events/s' }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function tmpFsType(dir: string): string {
  try {
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    let best: string[] | undefined;
    for (const m of mounts) if (m[1] && dir.startsWith(m[1]) && (!best || m[1].length > best[1]!.length)) best = m;
    return best ? `${best[2]} mounted at ${best[1]}` : 'unknown filesystem';
  } catch {
    return 'unknown filesystem';
  }
}
