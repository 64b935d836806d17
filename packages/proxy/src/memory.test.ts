// Memory that traffic must not grow for good: two days after 20,000 checkouts and their pages'
// checks, one sweep leaves the store and the ledger holding (nearly) nothing.
import {
  createKhqrProxy,
  type KhqrProxy,
  Ledger,
  type Logger,
  MemoryStore,
} from '@khqr-checkout/proxy';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';
import { MERCHANT, startBank } from '../test/harness.ts';

const quiet: Logger = { info() {}, warn() {}, error() {} };
const DAY_MS = 86_400_000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startBank();
});
afterAll(async () => {
  await sandbox?.close();
});
let proxies: KhqrProxy[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const proxy of proxies) await proxy.close();
  proxies = [];
});

/** A proxy on the sandbox clock, with the store and the ledger it made at hand. */
async function proxyUnderTest(): Promise<{ proxy: KhqrProxy; store: MemoryStore; ledger: Ledger }> {
  let ledger: Ledger | undefined;
  const open = Ledger.prototype.open;
  vi.spyOn(Ledger.prototype, 'open').mockImplementation(function (this: Ledger) {
    ledger = this;
    return open.call(this);
  });
  const now = () => sandbox.clock.now();
  const store = new MemoryStore(now);
  const proxy = createKhqrProxy({
    bakong: { token: DEV_TOKEN, baseUrl: sandbox.url, timeoutMs: 10_000 },
    merchant: { accounts: [MERCHANT], name: 'KHQR Shop', city: 'Phnom Penh' },
    database: temporaryDataDir('memory'),
    store,
    now,
    logger: quiet,
    sweeper: false,
  });
  proxies.push(proxy);
  await proxy.ready();
  return { proxy, store, ledger: ledger as Ledger };
}

/** A page's check through the handler, from its own address (each customer is somebody else). */
async function check(proxy: KhqrProxy, md5: string, clientIp: string): Promise<number> {
  const response = await proxy.handler(
    new Request('http://proxy.test/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ md5 }),
    }),
    { clientIp },
  );
  await response.body?.cancel();
  return response.status;
}

describe('memory held for checkouts and clients', () => {
  it('two days after 20,000 checkouts and their checks, a sweep leaves the store and the ledger (nearly) empty', async () => {
    const { proxy, store, ledger } = await proxyUnderTest();
    const total = 20_000;
    const batch = 500;
    const statuses = new Map<number, number>();
    for (let first = 0; first < total; first += batch) {
      const made = await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          proxy.createCheckout({
            amount: 100 + first + i,
            currency: 'KHR',
            orderId: `O-${first + i}`,
            ttl: 300,
          }),
        ),
      );
      const answered = await Promise.all(
        made.map((c, i) =>
          check(
            proxy,
            c.md5,
            `10.${(first + i) >> 16}.${((first + i) >> 8) & 255}.${(first + i) & 255}`,
          ),
        ),
      );
      for (const status of answered) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    // While the checks are fresh, what they left is there to see: a window per client and per md5.
    expect(store.size.windows).toBeGreaterThanOrEqual(2 * total);
    expect(ledger.held().cached).toBeGreaterThan(total / 2);

    sandbox.clock.advance(2 * DAY_MS);
    await proxy.sweep();

    // The sweep asks about at most one round of checkouts (100): those rows may stay a while.
    expect(store.size).toEqual({ claims: 0, windows: 0 });
    expect(ledger.held().cached).toBeLessThanOrEqual(100);
    expect(ledger.held().reads).toBe(0);
    expect(ledger.held().unwrittenChecks).toBe(0);
  }, 240_000);

  it('a store that is never asked about a key again still drops its window and its lock', async () => {
    let clock = 1_000_000;
    const store = new MemoryStore(() => clock);
    for (let i = 0; i < 1000; i++) await store.hit(`md5:${i}`, 60_000);
    expect(await store.claim('lock:a', 15_000)).toBe(true); // never released (a crash mid-check)
    expect(store.size).toEqual({ claims: 1, windows: 1000 });
    clock += 2 * DAY_MS;
    await store.hit('client:203.0.113.7', 60_000);
    expect(store.size).toEqual({ claims: 0, windows: 1 });
  });

  it('a flood of distinct keys within one window holds 100,000 windows at most, the oldest going first', async () => {
    const store = new MemoryStore(() => 1_000_000);
    for (let i = 0; i <= 100_000; i++) await store.hit(`md5:${i}`, 60_000);
    expect(store.size.windows).toBe(100_000);
    // The newest window is kept and counts on; the oldest was let go (a reset limit, nothing worse).
    expect((await store.hit('md5:100000', 60_000)).count).toBe(2);
    expect((await store.hit('md5:0', 60_000)).count).toBe(1);
  });
});
