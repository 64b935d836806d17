// The ledger's own rules, on the embedded database and on a real Postgres server.
import {
  type CheckoutRecord,
  Ledger,
  openPostgres,
  type PaidEvent,
  type SqlDatabase,
} from '@khqr-checkout/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeEmbeddedDatabase, embeddedDatabase, freshSchema } from '../test/harness.ts';
import { startPostgres } from '../test/postgres.ts';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
const databases: Record<string, SqlDatabase> = {};
beforeAll(async () => {
  postgres = await startPostgres();
  databases.embedded = await embeddedDatabase();
  databases.postgres = await openPostgres(postgres.url);
}, 60_000);
afterAll(async () => {
  await databases.postgres?.close();
  await closeEmbeddedDatabase();
  await postgres?.stop();
});

let n = 0;
const record = (overrides: Partial<CheckoutRecord> = {}): CheckoutRecord => {
  n++;
  return {
    md5: n.toString(16).padStart(32, '0'),
    qr: `qr-${n}`,
    checkoutId: `c-${n}`,
    source: 'server',
    amountMinor: 500,
    currency: 'USD',
    toAccountId: 'shop@devb',
    createdAt: 1_000_000,
    expiresAt: 1_300_000,
    orderId: `O-${n}`,
    ...overrides,
  };
};
const paidEvent = (r: CheckoutRecord, settledAt = 1_100_000): PaidEvent => ({
  id: `evt_${r.md5}`,
  type: 'khqr.paid',
  md5: r.md5,
  checkoutId: r.checkoutId,
  ...(r.orderId ? { orderId: r.orderId } : {}),
  amountMinor: r.amountMinor,
  currency: r.currency,
  toAccountId: r.toAccountId,
  transactionHash: 'h',
  paidAt: settledAt,
  late: false,
  settledAt,
});

describe.each(['embedded', 'postgres'])('the ledger on %s', (kind) => {
  const t = 1_000_000;
  const open = async () => {
    const ledger = new Ledger(databases[kind] as SqlDatabase, () => t, freshSchema());
    await ledger.open();
    return ledger;
  };

  it('adds a checkout once per md5, with its watch window', async () => {
    const ledger = await open();
    const r = record();
    expect(await ledger.add(r, 30_000)).toBe(true);
    expect(await ledger.add({ ...r, orderId: 'other' }, 30_000)).toBe(false);
    expect(await ledger.get(r.md5)).toMatchObject({
      orderId: r.orderId,
      state: 'pending',
      watching: true,
      watchUntil: r.expiresAt + 30_000,
      checkedAt: null,
    });
  });

  it('settles once under 20 concurrent attempts, and a paid checkout is never changed back', async () => {
    const ledger = await open();
    const r = record();
    await ledger.add(r, 30_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.settle(paidEvent(r, 1_100_000 + i), false)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(
      await ledger.note(r.md5, { state: 'failed', reason: 'bakong', checkedAt: t }),
    ).toBeNull();
    expect(await ledger.get(r.md5, true)).toMatchObject({ state: 'paid', watching: false });
    expect(await ledger.outboxHealth()).toMatchObject({ undelivered: 1 });
  });

  it('never serves a copy read before a settlement committed', async () => {
    const ledger = await open();
    const r = record();
    await ledger.add(r, 30_000);
    // A read and a settlement race; whatever order they finish in, the next read says paid.
    const [read] = await Promise.all([ledger.get(r.md5), ledger.settle(paidEvent(r), false)]);
    expect(read?.state === 'pending' || read?.state === 'paid').toBe(true);
    expect((await ledger.get(r.md5))?.state).toBe('paid');
  });

  it('gives a due settlement to one worker at a time, and again once its lease runs out', async () => {
    const ledger = await open();
    const r = record();
    await ledger.add(r, 30_000);
    await ledger.settle(paidEvent(r, t), false);
    const [a, b] = await Promise.all([ledger.lease(t, 60_000, 10), ledger.lease(t, 60_000, 10)]);
    expect([...(a ?? []), ...(b ?? [])].map((s) => s.eventId)).toEqual([`evt_${r.md5}`]);
    expect(await ledger.lease(t + 59_999, 60_000, 10)).toEqual([]);
    // The first worker died without an outcome: not counted as a failed attempt.
    expect(await ledger.lease(t + 60_001, 60_000, 10)).toMatchObject([{ attempts: 0 }]);
  });

  it('records a failed delivery for a later attempt, and gives up when told to', async () => {
    const ledger = await open();
    const r = record();
    await ledger.add(r, 30_000);
    await ledger.settle(paidEvent(r, t), false);
    const [row] = await ledger.lease(t, 60_000, 10);
    await ledger.failed(row?.eventId as string, 'HTTP 500', t + 10_000, t);
    expect(await ledger.lease(t + 9_999, 60_000, 10)).toEqual([]);
    const [again] = await ledger.lease(t + 10_000, 60_000, 10);
    expect(again).toMatchObject({ attempts: 1, lastError: 'HTTP 500' });
    await ledger.failed(again?.eventId as string, 'HTTP 500', null, t + 10_000);
    expect(await ledger.lease(t + 10 ** 9, 60_000, 10)).toEqual([]);
    expect(await ledger.outboxHealth()).toEqual({
      undelivered: 0,
      oldestUndeliveredAt: null,
      abandoned: 1,
    });
    expect(await ledger.retry(again?.eventId as string, t)).toBe(true);
    expect(await ledger.outboxHealth()).toMatchObject({ undelivered: 1, abandoned: 0 });
  });

  it('lists watched checkouts not asked about lately, counting "not found" answers kept in memory', async () => {
    const ledger = await open();
    const [fresh, stale] = [record(), record()];
    await ledger.add(fresh, 30_000);
    await ledger.add(stale, 30_000);
    await ledger.get(fresh.md5);
    await ledger.note(fresh.md5, { checkedAt: t });
    await ledger.note(stale.md5, { checkedAt: t - 20_000 });
    expect((await ledger.due(t, 10_000, 120_000)).map((row) => row.md5)).toEqual([stale.md5]);
    // Written through: a second ledger on the same tables (a restart) sees both times.
    const again = new Ledger(databases[kind] as SqlDatabase, () => t, ledger.schema);
    expect((await again.get(fresh.md5))?.checkedAt).toBe(t);
  });

  it('refuses a schema name that is not a plain identifier, saying which names work', () => {
    expect(() => new Ledger(databases[kind] as SqlDatabase, () => t, 'shop; drop table x')).toThrow(
      /Invalid database schema name.*lowercase letters, digits and _/,
    );
  });
});
