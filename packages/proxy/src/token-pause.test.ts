// A refused token pauses Bakong calls for 10 minutes from Bakong's 401, not from the latest
// check; a proxy restarted with another token is not bound by the old token's pause; and the
// alert hook hears recurring trouble once in 10 minutes, not on every check.
import type { Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';
import { startBank, startProxy } from '../test/harness.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startBank();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Checks that reached the sandbox (each carries the token); /health's probe is not one. */
const calls = () =>
  (sandbox.counters().check_transaction_by_md5?.requests ?? 0) +
  (sandbox.counters().check_transaction_by_md5_list?.requests ?? 0);

const PAUSE_MS = 10 * 60_000;

describe('the token pause', () => {
  it('is not pushed on by checks while it lasts; after it, the next call carries the token again', async () => {
    const p = await startProxy(sandbox, {
      tokenForBakong: 'not-a-real-token',
      database: temporaryDataDir('token-pause'),
    });
    closers.push(p.close);
    const first = await p.proxy.createCheckout({ amount: 100, currency: 'KHR', ttl: 600 });
    expect(await p.post('/check', { md5: first.md5 })).toMatchObject({
      status: 503,
      json: { error: { code: 'upstream_unauthorized' } },
    });
    const refusedAt = sandbox.clock.now();
    const afterRefusal = calls();
    expect(afterRefusal).toBeGreaterThan(0);
    // A page polling, the sweeper and re-checks, every 20 s for almost the whole pause.
    while (sandbox.clock.now() < refusedAt + PAUSE_MS - 30_000) {
      sandbox.clock.advance(20_000);
      expect((await p.post('/check', { md5: first.md5 })).status).toBe(503);
      await p.proxy.sweep();
    }
    expect(calls()).toBe(afterRefusal);
    // The pause ends 10 minutes after Bakong's 401, however often it was checked meanwhile.
    sandbox.clock.set(refusedAt + PAUSE_MS + 2_000);
    const next = await p.proxy.createCheckout({ amount: 200, currency: 'KHR' });
    expect(await p.post('/check', { md5: next.md5 })).toMatchObject({
      status: 503,
      json: { error: { code: 'upstream_unauthorized' } },
    });
    expect(calls()).toBeGreaterThan(afterRefusal);
    // Bakong refused it again: one alert for each refusal, none for the checks in between.
    expect(p.alerts.filter((a) => a.type === 'unauthorized')).toHaveLength(2);
  });

  it('does not bind a proxy restarted with another token on the same ledger', async () => {
    const dir = temporaryDataDir('token-restart');
    const bad = await startProxy(sandbox, { tokenForBakong: 'not-a-real-token', database: dir });
    const stale = await bad.proxy.createCheckout({ amount: 100, currency: 'KHR', ttl: 600 });
    expect((await bad.post('/check', { md5: stale.md5 })).status).toBe(503);
    expect((await bad.get('/health')).json).toMatchObject({ upstream: { status: 'unauthorized' } });
    await bad.close();

    sandbox.clock.advance(5_000);
    const good = await startProxy(sandbox, { database: dir });
    closers.push(good.close);
    const before = calls();
    const checkout = await good.proxy.createCheckout({ amount: 300, currency: 'KHR' });
    expect((await good.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'pending',
    });
    expect(calls()).toBeGreaterThan(before);
    sandbox.pay({ qr: checkout.qr });
    sandbox.clock.advance(1_500);
    expect((await good.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'paid',
    });
    expect(good.paid).toContainEqual(expect.objectContaining({ md5: checkout.md5 }));
    expect((await good.get('/health')).json).not.toMatchObject({
      upstream: { status: 'unauthorized' },
    });
  });
});

describe('onAlert', () => {
  it('hears a recurring alert once in 10 minutes, and alerts about different payments each', async () => {
    const p = await startProxy(sandbox, { bulk: false, database: temporaryDataDir('alerts') });
    closers.push(p.close);
    const a = await p.proxy.createCheckout({ amount: 100, currency: 'KHR', ttl: 600 });
    const b = await p.proxy.createCheckout({ amount: 200, currency: 'KHR', ttl: 600 });
    sandbox.injectFault({ endpoint: '*', kind: 'forbidden', count: 1_000 });
    const start = sandbox.clock.now();
    // Two pages polling and the sweeper, for almost 10 minutes: a 403 on every call.
    while (sandbox.clock.now() < start + PAUSE_MS - 20_000) {
      sandbox.clock.advance(15_000);
      await p.post('/check', { md5: a.md5 });
      await p.post('/check', { md5: b.md5 });
      await p.proxy.sweep();
    }
    const forbidden = () => p.alerts.filter((alert) => alert.type === 'forbidden');
    expect(forbidden()).toHaveLength(1);
    sandbox.clock.set(start + PAUSE_MS + 30_000);
    await p.post('/check', { md5: a.md5 });
    expect(forbidden()).toHaveLength(2);
    // Per payment: both checkouts went unanswered past expiry, each is its own alert.
    sandbox.clearFaults();
    sandbox.injectFault({ endpoint: '*', kind: 'server-error', count: 1_000 });
    await p.proxy.sweep();
    const reconciled = p.alerts.filter((alert) => alert.type === 'reconcile');
    expect(reconciled.map((alert) => 'md5' in alert && alert.md5).sort()).toEqual(
      [a.md5, b.md5].sort(),
    );
  });
});
