// Payments through the standalone proxy (`khqr-proxy`, a real child process on the embedded
// ledger) while it is killed with SIGKILL again and again, to a signed webhook whose order system
// is idempotent on the event id and refuses some deliveries. Used by a test and by `pnpm bench settle`.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PaidEvent, verifyKhqrWebhook } from '@khqr-checkout/proxy';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import { temporaryDataDir } from './data-dir.ts';
import { spawnProxyCli } from './proxy-cli.ts';
import { seededRandom } from './random.ts';

export interface SettleRunOptions {
  /** Checkouts made and paid. */
  payments: number;
  /** SIGKILLs of the proxy while payments are under way. */
  kills: number;
  /**
   * Share of webhook deliveries the receiver answers with a 500. @default 0
   * Each event is refused at most once, so a run waits for the first retry (10 s), not the
   * later ones of the backoff (30 s, 2 min…), whatever the random draws.
   */
  refuseShare?: number;
  /** Give up waiting for the last deliveries after this long, ms. @default 120000 */
  timeoutMs?: number;
  /** A seeded random, so a failing run can be repeated. */
  seed?: number;
  /** Receives the proxy's output (its JSON log lines), for a run that needs looking into. */
  log?: (text: string) => void;
}

export interface SettleRunResult {
  payments: number;
  kills: number;
  /** Deliveries the receiver saw, refused ones included. */
  deliveries: number;
  refused: number;
  /** Orders marked paid by the idempotent order system. */
  settled: number;
  /** Orders marked paid more than once (must be 0). */
  duplicateEffects: number;
  /** Paid orders never settled (must be 0). */
  lost: number;
  /** Their order ids, to look for in the proxy's log. */
  lostOrders: string[];
  /** Deliveries whose signature did not verify (must be 0). */
  badSignatures: number;
  /** Deliveries of one payment under more than one event id (must be 0). */
  unstableIds: number;
  /** Sandbox payment → order marked paid, ms, sorted. */
  settleTimesMs: number[];
  /** The same for checkouts a page polled once after paying (the other half: closed tabs). */
  polledTimesMs: number[];
  /** The same for checkouts no page polled: found by the sweeper (every 10 s). */
  closedTabTimesMs: number[];
  /** Proxy start (spawn → listening), ms, sorted. */
  startTimesMs: number[];
  elapsedMs: number;
}

const MERCHANT = 'settle_shop@devb';
const SECRET = 'settle-run-secret-0123456789';

export async function runSettle(options: SettleRunOptions): Promise<SettleRunResult> {
  const rand = seededRandom(options.seed ?? 42);
  const started = performance.now();
  const sandbox = await startSandbox({ port: 0, accounts: [MERCHANT] });
  const dataDir = temporaryDataDir('settle-run');

  // The merchant's order system: marks an order paid once per event id, whatever is redelivered.
  const paidOrders = new Map<string, { eventId: string; count: number; at: number }>();
  const idsByMd5 = new Map<string, Set<string>>();
  let deliveries = 0;
  let refused = 0;
  let badSignatures = 0;
  const refusedIds = new Set<string>();
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      deliveries++;
      let event: PaidEvent;
      try {
        event = await verifyKhqrWebhook(SECRET, req.headers['x-khqr-signature'] as string, body);
      } catch {
        badSignatures++;
        res.writeHead(400).end();
        return;
      }
      if (!refusedIds.has(event.id) && rand() < (options.refuseShare ?? 0)) {
        refusedIds.add(event.id);
        refused++;
        res.writeHead(500).end();
        return;
      }
      const ids = idsByMd5.get(event.md5) ?? new Set();
      ids.add(event.id);
      idsByMd5.set(event.md5, ids);
      const order = paidOrders.get(event.orderId as string);
      if (order && order.eventId === event.id) {
        // Idempotent: already paid by this event; answer 2xx again.
      } else if (order) order.count++;
      else
        paidOrders.set(event.orderId as string, {
          eventId: event.id,
          count: 1,
          at: performance.now(),
        });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/paid`;

  let child: ChildProcess | undefined;
  let url = '';
  const startTimesMs: number[] = [];
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const proc = spawnProxyCli({
        BAKONG_TOKEN: DEV_TOKEN,
        BAKONG_BASE_URL: sandbox.url,
        KHQR_MERCHANT_ACCOUNTS: MERCHANT,
        KHQR_CHECKOUT_SECRET: SECRET,
        KHQR_PAID_WEBHOOK_URL: webhookUrl,
        KHQR_DATA_DIR: dataDir,
      });
      child = proc;
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk;
        const found = /listening on (http:\/\/[\d.:]+)/.exec(output);
        if (found) {
          url = found[1] as string;
          startTimesMs.push(performance.now() - t0);
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          proc.stderr?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', (chunk: Buffer) => {
        output += chunk;
      });
      if (options.log) {
        proc.stdout?.on('data', (chunk: Buffer) => options.log?.(String(chunk)));
        proc.stderr?.on('data', (chunk: Buffer) => options.log?.(String(chunk)));
      }
      proc.once('exit', (code) => {
        if (!url || startTimesMs.length === 0)
          reject(new Error(`khqr-proxy exited (${code}):\n${output}`));
      });
    });
  const kill = async () => {
    const proc = child as ChildProcess;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    url = '';
  };
  /** A call to the proxy; while it is down (or being killed), the caller tries again. */
  const call = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    for (;;) {
      if (url) {
        try {
          const response = await fetch(`${url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify(body),
          });
          if (response.status < 500) return (await response.json()) as Record<string, unknown>;
        } catch {
          // killed mid-request
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  try {
    await start();
    const checkouts: Array<{ md5: string; qr: string; orderId: string; paidAt?: number }> = [];
    for (let i = 0; i < options.payments; i++) {
      const orderId = `ORDER-${i + 1}`;
      const created = await call(
        '/checkouts',
        { amount: 1000 + 100 * i, currency: 'KHR', orderId, ttl: 600 },
        { authorization: `Bearer ${SECRET}` },
      );
      checkouts.push({ md5: created.md5 as string, qr: created.qr as string, orderId });
    }
    // Payments arrive over time while pages poll some checkouts (the others' tabs are closed:
    // the sweeper must find those), and the proxy is killed at random moments between them.
    const killsAfter = new Map<number, number>();
    for (let k = 0; k < options.kills; k++) {
      const at = Math.floor(rand() * options.payments);
      killsAfter.set(at, (killsAfter.get(at) ?? 0) + 1);
    }
    const polling: Array<Promise<unknown>> = [];
    for (const [i, checkout] of checkouts.entries()) {
      sandbox.see(checkout.qr);
      sandbox.pay({ md5: checkout.md5 });
      checkout.paidAt = performance.now();
      if (i % 2 === 0) polling.push(call('/check', { md5: checkout.md5 }));
      await new Promise((resolve) => setTimeout(resolve, rand() * 40));
      for (let k = 0; k < (killsAfter.get(i) ?? 0); k++) {
        // Kill with deliveries and checks in flight, then start again on the same data.
        await new Promise((resolve) => setTimeout(resolve, rand() * 300));
        await kill();
        await start();
      }
    }
    await Promise.all(polling);
    const deadline = performance.now() + (options.timeoutMs ?? 120_000);
    while (paidOrders.size < checkouts.length && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));

    const times = (which: (i: number) => boolean) =>
      checkouts
        .filter((_, i) => which(i))
        .map((c) => {
          const order = paidOrders.get(c.orderId);
          return order ? order.at - (c.paidAt as number) : Number.NaN;
        })
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
    const settleTimesMs = times(() => true);
    return {
      payments: checkouts.length,
      kills: options.kills,
      deliveries,
      refused,
      settled: paidOrders.size,
      duplicateEffects: [...paidOrders.values()].filter((o) => o.count > 1).length,
      lost: checkouts.filter((c) => !paidOrders.has(c.orderId)).length,
      lostOrders: checkouts.filter((c) => !paidOrders.has(c.orderId)).map((c) => c.orderId),
      badSignatures,
      unstableIds: [...idsByMd5.values()].filter((ids) => ids.size > 1).length,
      settleTimesMs,
      polledTimesMs: times((i) => i % 2 === 0),
      closedTabTimesMs: times((i) => i % 2 === 1),
      startTimesMs: startTimesMs.sort((a, b) => a - b),
      elapsedMs: performance.now() - started,
    };
  } finally {
    if (child && child.exitCode === null) await kill();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await sandbox.close();
  }
}
