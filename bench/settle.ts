// `pnpm bench settle`: payments through the standalone proxy while it is killed with SIGKILL over
// and over, to a signed webhook that refuses some deliveries. Every payment must reach the order
// system once in effect; the table shows what that costs in deliveries and time.
import { runSettle } from '../test-utils/settle-run.ts';
import { fmt, printTable } from './table.ts';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

export async function benchSettle(): Promise<void> {
  const rows: string[][] = [];
  for (const run of [
    { payments: 100, kills: 0, refuseShare: 0 },
    { payments: 100, kills: 10, refuseShare: 0 },
    { payments: 100, kills: 10, refuseShare: 0.2 },
  ]) {
    const r = await runSettle({ ...run, seed: 11, timeoutMs: 180_000 });
    if (r.lost > 0 || r.duplicateEffects > 0 || r.badSignatures > 0 || r.unstableIds > 0)
      throw new Error(
        `bench settle: money lost or doubled: ${JSON.stringify({ ...r, settleTimesMs: undefined })}`,
      );
    rows.push([
      `${r.payments} payments, ${r.kills} kill -9, ${Math.round(run.refuseShare * 100)} % refused`,
      `${r.settled}/${r.payments}`,
      String(r.lost),
      String(r.duplicateEffects),
      fmt(r.deliveries),
      fmt(r.refused),
      `${(pct(r.polledTimesMs, 50) / 1000).toFixed(2)} / ${(pct(r.polledTimesMs, 95) / 1000).toFixed(2)} s`,
      `${(pct(r.closedTabTimesMs, 50) / 1000).toFixed(2)} / ${(pct(r.closedTabTimesMs, 95) / 1000).toFixed(2)} s`,
      `${(pct(r.settleTimesMs, 100) / 1000).toFixed(1)} s`,
      `${(pct(r.startTimesMs, 50) / 1000).toFixed(2)} s`,
    ]);
  }
  printTable(
    'Settlement through kill -9 (standalone proxy, embedded ledger, signed webhook; payment → order marked paid)',
    [
      'run',
      'settled',
      'lost',
      'double',
      'deliveries',
      'refused',
      'page polled p50 / p95',
      'tab closed p50 / p95',
      'max',
      'proxy start p50',
    ],
    rows,
  );
}
