// `pnpm bench budget`: a simulated shop day on the sandbox clock. 200 server-made checkouts
// between 08:00 and 20:00 in Phnom Penh, 70 % paid; half of the payers signal (they come back from
// the bank app to the page), the others leave the page open on a desktop and say nothing. Bakong
// calls are counted by the sandbox, which refuses them with errorCode 17 past its daily limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKhqrProxy, type KhqrProxy } from '@khqr-checkout/proxy';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import { seededRandom } from '../test-utils/random.ts';
import { fmt, printTable } from './table.ts';

const MERCHANT = 'budget_shop@devb';
const CHECKOUTS = 200;
const PAID_SHARE = 0.7;
const TTL_S = 600;
const POLL_MS = 2_000;
const SWEEP_MS = 10_000;
const silent = { info() {}, warn() {}, error() {} };

interface Run {
  name: string;
  /** bakong.dailyBudget, or none. */
  budget?: number;
  /** The sandbox's daily limit (errorCode 17 past it), or none. */
  quota?: number;
}

interface Shopper {
  md5: string;
  qr: string;
  createdAt: number;
  expiresAt: number;
  paysAt: number | null;
  signals: boolean;
  /** When the page first heard "paid", or null. */
  seenPaidAt: number | null;
  /** Real time the signalled check took, when it answered "paid", ms. */
  signalAnsweredMs: number | null;
  done: boolean;
  nextPollAt: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
const seconds = (ms: number) =>
  Number.isFinite(ms)
    ? ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${(ms / 60_000).toFixed(1)} min`
    : '—';

async function simulateDay(run: Run) {
  const rand = seededRandom(2026);
  const sandbox = await startSandbox({ port: 0, accounts: [MERCHANT] });
  const dir = mkdtempSync(join(tmpdir(), 'khqr-bench-budget-'));
  // 08:00 in Phnom Penh (UTC+7) on the sandbox's current day.
  const day = 86_400_000;
  const pp = 7 * 3_600_000;
  const start = Math.floor((sandbox.clock.now() + pp) / day) * day - pp + 8 * 3_600_000;
  let now = start;
  sandbox.clock.set(now);
  if (run.quota !== undefined) sandbox.quota.setLimit(run.quota);
  const settled = new Map<string, number>();
  const proxy: KhqrProxy = createKhqrProxy({
    bakong: {
      token: DEV_TOKEN,
      baseUrl: sandbox.url,
      ...(run.budget === undefined ? {} : { dailyBudget: run.budget }),
    },
    merchant: { accounts: [MERCHANT], name: 'Budget Shop' },
    database: dir,
    now: () => now,
    sweeper: false,
    logger: silent,
    onPaid: (event) => {
      settled.set(event.md5, now);
    },
  });
  await proxy.ready();
  const shoppers: Shopper[] = [];
  const arrivals = Array.from({ length: CHECKOUTS }, () => start + rand() * 12 * 3_600_000).sort(
    (a, b) => a - b,
  );
  const ask = async (s: Shopper, signal?: 'paid' | 'visible') => {
    const response = await proxy.handler(
      new Request('http://shop.test/check', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ md5: s.md5, ...(signal ? { signal } : {}) }),
      }),
      { clientIp: `198.51.100.${shoppers.indexOf(s) % 250}` },
    );
    const body = (await response.json()) as { status?: string };
    if (body.status === 'paid' && s.seenPaidAt === null) s.seenPaidAt = now;
    if (body.status && body.status !== 'pending') s.done = true;
  };
  let nextSweep = start;
  const end = start + 13 * 3_600_000;
  let arrival = 0;
  for (; now < end; now += 1_000) {
    sandbox.clock.set(now);
    while (arrival < arrivals.length && (arrivals[arrival] as number) <= now) {
      arrival++;
      const amount = 1000 + shoppers.length;
      const created = await proxy.createCheckout({
        amount,
        currency: 'KHR',
        orderId: `O-${shoppers.length}`,
        ttl: TTL_S,
      });
      const pays = rand() < PAID_SHARE;
      shoppers.push({
        md5: created.md5,
        qr: created.qr,
        createdAt: now,
        expiresAt: created.expiresAt,
        paysAt: pays ? now + 20_000 + rand() * 280_000 : null,
        signals: pays && rand() < 0.5,
        seenPaidAt: null,
        signalAnsweredMs: null,
        done: false,
        nextPollAt: now + POLL_MS,
      });
    }
    for (const s of shoppers) {
      if (s.done) continue;
      if (s.paysAt !== null && s.paysAt <= now && s.paysAt > now - 1_000) {
        sandbox.pay({ qr: s.qr });
        // Back from the bank app, the page becomes visible again: its next check says so.
        if (s.signals) {
          const t0 = performance.now();
          await ask(s, 'visible');
          if (s.seenPaidAt !== null) s.signalAnsweredMs = performance.now() - t0;
          s.nextPollAt = now + POLL_MS;
          continue;
        }
      }
      // The page gives up on its own clock past expiry plus its grace (35 s).
      if (now > s.expiresAt + 35_000) {
        s.done = true;
        continue;
      }
      if (now >= s.nextPollAt) {
        s.nextPollAt = now + POLL_MS;
        await ask(s);
      }
    }
    if (now >= nextSweep) {
      nextSweep = now + SWEEP_MS;
      await proxy.sweep();
    }
  }
  // The rest of the day: the scheduler settles what pages did not see (no page is open).
  let callsToday = Number.NaN;
  let refused = 0;
  for (let t = 0; t < 11 * 60; t++) {
    if (Number.isNaN(callsToday) && now + 60_000 >= start + 16 * 3_600_000) {
      callsToday = Object.values(sandbox.counters()).reduce((sum, e) => sum + e.requests, 0);
      refused = sandbox.quota.state().refused;
    }
    now += 60_000;
    sandbox.clock.set(now);
    await proxy.sweep();
  }
  const counters = sandbox.counters();
  const calls = Object.values(counters).reduce((sum, e) => sum + e.requests, 0);
  await proxy.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
  const payers = shoppers.filter((s) => s.paysAt !== null);
  // Payment → the page shows paid: the signalled check's own (real) time when it answered paid,
  // else the simulated time until a later check did.
  const latency = (which: Shopper[]) =>
    which
      .map((s) =>
        s.signalAnsweredMs !== null
          ? s.signalAnsweredMs
          : s.seenPaidAt === null
            ? Number.POSITIVE_INFINITY
            : s.seenPaidAt - (s.paysAt as number),
      )
      .sort((a, b) => a - b);
  const settleLatency = payers
    .map((s) => (settled.get(s.md5) ?? Number.POSITIVE_INFINITY) - (s.paysAt as number))
    .sort((a, b) => a - b);
  return {
    calls,
    callsToday,
    refused,
    payers: payers.length,
    settled: payers.filter((s) => settled.has(s.md5)).length,
    signalled: latency(payers.filter((s) => s.signals)),
    unsignalled: latency(payers.filter((s) => !s.signals)),
    shownPaid: payers.filter((s) => s.seenPaidAt !== null).length,
    settleLatency,
  };
}

export async function benchBudget(): Promise<void> {
  const rows: string[][] = [];
  for (const run of [
    { name: 'budget 100 on a 100-call token', budget: 100, quota: 100 },
    { name: 'budget 40 on a 100-call token', budget: 40, quota: 100 },
    // With no budget and no limit the proxy asks as fast as pages poll: `pnpm bench e2e` measures
    // that speed; simulating a whole day of it would only count page polls.
    { name: 'no budget, 100-call token (learns it)', quota: 100 },
  ] satisfies Run[]) {
    const r = await simulateDay(run);
    rows.push([
      run.name,
      `${fmt(r.callsToday)} + ${fmt(r.calls - r.callsToday)}`,
      String(r.refused),
      `${r.settled}/${r.payers}`,
      r.settled ? (r.calls / r.settled).toFixed(2) : '—',
      `${seconds(pct(r.signalled, 50))} / ${seconds(pct(r.signalled, 95))}`,
      `${seconds(pct(r.unsignalled, 50))} / ${seconds(pct(r.unsignalled, 95))}`,
      `${r.shownPaid}/${r.payers}`,
      `${seconds(pct(r.settleLatency, 50))} / ${seconds(pct(r.settleLatency, 95))}`,
    ]);
  }
  printTable(
    `A shop day on the sandbox clock: ${CHECKOUTS} checkouts 08:00–20:00, ${PAID_SHARE * 100} % paid, half the payers signal`,
    [
      'run',
      'Bakong calls: day + after midnight',
      'refused (17)',
      'settled',
      'calls / settled',
      'signalled: paid shown p50 / p95',
      'unsignalled: p50 / p95',
      'page showed paid',
      'payment → settled p50 / p95',
    ],
    rows,
  );
}
