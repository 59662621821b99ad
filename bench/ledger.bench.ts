/**
 * Paper ledger and paper exchange costs: one durable append (write + fdatasync), group commit of 10,
 * append without fdatasync (replay), reading back, and paper matching throughput.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, report, throughput } from './harness.ts';
import { LedgerWriter } from '../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../src/adapters/ledger/ledger-reader.ts';
import { quoteRecord } from '../src/core/ledger/build.ts';
import { PaperExchange } from '../src/core/paper/exchange.ts';
import type { OrderBook, Trade } from '../src/core/market.ts';

const input = (i: number) =>
  quoteRecord(
    {
      series: 'INXU',
      window: '2026-11-20/hourly-1000',
      market: { ticker: 'KXINXU-26NOV20H1000-T6800', eventTicker: 'KXINXU-26NOV20H1000', strikeType: 'greater', floorStrike: 6800 },
      evAfterFeesCents: 6.5,
      fillProb: 0.3,
      modelProb: 0.62,
      activeFeed: 'polygon',
      feedAgeMs: 120,
    },
    { clientOrderId: `q-${i}`, marketTicker: 'KXINXU-26NOV20H1000-T6800', side: 'buy', price: 5600, size: 100, filled: 0, status: 'resting', submittedMs: 0, updatedMs: 0 },
    1_795_186_800_000 + i,
  );

export default async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-'));
  try {
    let i = 0;
    const durable = LedgerWriter.open(path.join(dir, 'durable.jsonl'));
    report(measure('ledger append (write + fdatasync)', () => durable.append(input(i++)), { iterations: 500, warmup: 50 }));
    const batch = Array.from({ length: 10 }, (_, k) => input(k));
    report(measure('ledger appendBatch of 10 (one fdatasync)', () => durable.appendBatch(batch), { iterations: 200, warmup: 20 }));
    durable.close();
    const fast = LedgerWriter.open(path.join(dir, 'fast.jsonl'), { durability: 'none' });
    report(measure('ledger append (no fdatasync: replay only)', () => fast.append(input(i++)), { iterations: 20_000 }));
    fast.close();
    const file = path.join(dir, 'fast.jsonl');
    const lines = readLedgerFile(file).records.length;
    const r = throughput('ledger read + validate (records/s)', lines, () => void readLedgerFile(file), 3);
    console.log(`${r.name}: ${Math.round(r.perSec).toLocaleString('en-US')} (${lines} records)`);
    console.log(`on disk: ${tmpFsType(dir)} (${dir})`);

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
    const m = throughput('paper exchange events (book or trade)/s', N, () => {
      for (let k = 0; k < N; k++) if (k % 2) ex.onBook(book(k), k); else ex.onTrade(trade(k), k);
    });
    console.log(`${m.name}: ${Math.round(m.perSec).toLocaleString('en-US')}`);
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
