// kill -9 of the standalone proxy, again and again, while payments arrive: every payment reaches
// the merchant's order system, once in effect, under one event id, with a valid signature.
import { expect, it } from 'vitest';
import { runSettle } from '../../../test-utils/settle-run.ts';

it('loses no payment and duplicates no effect across 4 kill -9 restarts mid-settlement', async () => {
  const log: string[] = [];
  const result = await runSettle({
    log: (text) => log.push(text),
    payments: 16,
    kills: 4,
    refuseShare: 0.15,
    seed: 7,
    timeoutMs: 60_000,
  });
  // A lost payment is explained by the proxy's own log lines about it.
  if (result.lost > 0)
    console.error(
      log
        .join('')
        .split('\n')
        .filter((line) => result.lostOrders.some((id) => line.includes(`"${id}"`)))
        .join('\n'),
    );
  expect(result).toMatchObject({
    payments: 16,
    kills: 4,
    settled: 16,
    lost: 0,
    duplicateEffects: 0,
    badSignatures: 0,
    unstableIds: 0,
  });
  // Refused deliveries were retried, and redeliveries did happen: the run proved something.
  expect(result.refused).toBeGreaterThan(0);
  expect(result.deliveries).toBeGreaterThan(16);
}, 120_000);
