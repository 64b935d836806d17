// The ledger's one-second copies of the upstream pause and of today's call count: however many
// checks find them stale at once, one query refreshes each (under load, one query per check
// queued hundreds deep and slowed every answer), and a write is never hidden by an older read.
import { Ledger, openEmbedded, type SqlDatabase } from '@khqr-checkout/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';

let inner: SqlDatabase;
const queries: string[] = [];
/** The embedded database, every statement it runs written down. */
let database: SqlDatabase;
beforeAll(async () => {
  inner = await openEmbedded(temporaryDataDir('ledger-reads'));
  database = {
    kind: inner.kind,
    location: inner.location,
    query: (text, params) => {
      queries.push(text);
      return inner.query(text, params);
    },
    transaction: (fn) => inner.transaction(fn),
    close: () => inner.close(),
  };
});
afterAll(async () => {
  await inner?.close();
});

const selects = (table: string) =>
  queries.filter((q) => q.trimStart().startsWith('select') && q.includes(table)).length;

describe('the ledger under many checks at once', () => {
  it('200 checks that find the pause and the day count stale share one query for each', async () => {
    let clock = Date.UTC(2026, 0, 5, 3);
    const ledger = new Ledger(database, () => clock, 'reads_a');
    await ledger.open();
    queries.length = 0;
    const pauses = await Promise.all(Array.from({ length: 200 }, () => ledger.paused()));
    const days = await Promise.all(Array.from({ length: 200 }, () => ledger.today()));
    expect(pauses.every((p) => p === null)).toBe(true);
    expect(days.every((d) => d.spent === 0 && d.lastCallAt === null)).toBe(true);
    expect(selects('upstream_pauses')).toBe(1);
    expect(selects('upstream_days')).toBe(1);
    // A second later the copies are stale again: one query each again.
    clock += 1000;
    await Promise.all(Array.from({ length: 200 }, () => ledger.paused()));
    await Promise.all(Array.from({ length: 200 }, () => ledger.today()));
    expect(selects('upstream_pauses')).toBe(2);
    expect(selects('upstream_days')).toBe(2);
  });

  it('a pause or a call counted while a read is in flight is what the next check sees', async () => {
    let clock = Date.UTC(2026, 0, 5, 3);
    const ledger = new Ledger(database, () => clock, 'reads_b');
    await ledger.open();
    clock += 1000;
    const readBefore = ledger.paused();
    await ledger.pause('quota', clock + 60_000);
    await readBefore;
    expect(await ledger.paused()).toMatchObject({ kind: 'quota', until: clock + 60_000 });

    clock += 1000;
    const countBefore = ledger.today();
    expect(await ledger.spend(10, 0)).toBe(true);
    await countBefore;
    expect(await ledger.today()).toEqual({ spent: 1, lastCallAt: clock });
  });
});
