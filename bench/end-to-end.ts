// End to end: the time from the sandbox recording a payment to the page showing success, through
// the whole chain (Debian's Chromium → proxy → sandbox), beside the polling schedule that explains
// it: the drop-in's `khqr-success` in both polling phases, and the storefront's React checkout
// page. Each page shows a fresh server-created QR; after a random wait the sandbox records the
// payment, and the page stamps its success on the same clock (the epoch-based high-resolution
// time of both processes on this machine).
import { DEFAULT_POLICY, nextPollDelay, type PollPolicy } from '@khqr-checkout/khqr/session';
import { createKhqrProxy } from '@khqr-checkout/proxy';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import type { Page } from 'playwright-core';
import { startStorefront } from '../apps/storefront/server/storefront.ts';
import { launchChromium } from '../test-utils/chromium.ts';
import { temporaryDataDir } from '../test-utils/data-dir.ts';
import { serveDropInSite } from '../test-utils/drop-in-site.ts';
import { printTable } from './table.ts';

const MERCHANT = 'bench_shop@devb';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`, or an error after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message}: waited ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The policy alone: a payment lands at a random moment between two checks, so the wait is the
 * forward recurrence time of the check schedule (drawn from `nextPollDelay` itself).
 */
function modelled(policy: PollPolicy, sinceStartMs: number, samples = 200_000): number[] {
  const waits: number[] = [];
  for (let i = 0; i < samples; i++) {
    // Length-biased: a random moment falls in an interval in proportion to its length.
    const a = nextPollDelay({ sinceStartMs, failures: 0, hidden: false, untilExpiryMs: 0 }, policy);
    const b = nextPollDelay({ sinceStartMs, failures: 0, hidden: false, untilExpiryMs: 0 }, policy);
    const interval = Math.random() * (a + b) < a ? a : b;
    waits.push(Math.random() * interval);
  }
  return waits.sort((x, y) => x - y);
}

interface Phase {
  label: string;
  /** The schedule it measures; the slow phase starts at once instead of after a minute. */
  policy: Partial<PollPolicy>;
  sinceStartMs: number;
  interval: number;
}

/** Opens a checkout in a tab, arms `window.successAt`, and resolves its md5 and visibility. */
type Open = (tab: Page) => Promise<{ md5: string; visibility: string }>;

/** Time from the sandbox recording each payment to the page's success, over `runs` payments. */
async function measure(
  tabs: Page[],
  runs: number,
  interval: number,
  open: Open,
  pay: (md5: string) => void,
): Promise<number[]> {
  const latencies: number[] = [];
  let started = 0;
  // Each tab takes the next payment as soon as its last one succeeded.
  await Promise.all(
    tabs.map(async (tab) => {
      while (started < runs) {
        started++;
        const { md5, visibility } = await open(tab);
        // A hidden page polls every 15 s: the figure would then measure something else.
        if (visibility !== 'visible') throw new Error(`bench page is ${visibility}`);
        // Payers scan and confirm at any moment, unrelated to the checks' rhythm.
        await sleep(1500 + Math.random() * 2.5 * interval);
        pay(md5);
        const paidAt = now();
        // A card that stopped checking would otherwise hang the bench instead of failing it.
        const successAt = await within(
          tab.evaluate(() => (window as unknown as { successAt: Promise<number> }).successAt),
          2 * interval + 10_000,
          `no success after the payment (${tab.url()})`,
        );
        latencies.push(successAt - paidAt);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** The drop-in on a bare page, given a server-made QR and the phase's policy. */
const openDropIn =
  (
    origin: string,
    create: () => Promise<{ qr: string; md5: string }>,
    policy: Partial<PollPolicy>,
  ): Open =>
  async (tab) => {
    const { qr, md5 } = await create();
    await tab.goto(`${origin}/`);
    const visibility = await tab.evaluate(
      async ({ qr, policy }) => {
        await customElements.whenDefined('khqr-checkout');
        const el = document.createElement('khqr-checkout') as HTMLElement & {
          pollPolicy: unknown;
          updateComplete: Promise<unknown>;
        };
        el.pollPolicy = policy;
        el.setAttribute('qr', qr);
        el.setAttribute('endpoint', '/api/khqr/check');
        el.setAttribute('lang', 'en');
        const w = window as unknown as { successAt: Promise<number> };
        w.successAt = new Promise((resolve) =>
          el.addEventListener('khqr-success', () =>
            resolve(performance.timeOrigin + performance.now()),
          ),
        );
        document.body.append(el);
        await el.updateComplete;
        return document.visibilityState;
      },
      { qr, policy },
    );
    return { md5, visibility };
  };

/** The storefront's checkout page (React `<KhqrCheckout>`): success is its "Thank you" rendered. */
const openStorefront =
  (shop: Awaited<ReturnType<typeof startStorefront>>): Open =>
  async (tab) => {
    const response = await fetch(`${shop.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ id: 'iced-coffee', qty: 1 }], currency: 'KHR' }),
    });
    const order = (await response.json()) as { id: string; md5?: string };
    if (!response.ok || !order.md5) throw new Error(`no order: ${JSON.stringify(order)}`);
    await tab.goto(`${shop.url}/checkout/${order.id}`);
    await tab.getByRole('img', { name: /KHQR/ }).waitFor();
    const visibility = await tab.evaluate(() => {
      const w = window as unknown as { successAt: Promise<number> };
      w.successAt = new Promise((resolve) => {
        // (No named helpers in here: tsx would wrap them in a function the page lacks.)
        new MutationObserver((_, observer) => {
          if (!document.body.textContent?.includes('Thank you! Payment received.')) return;
          observer.disconnect();
          resolve(performance.timeOrigin + performance.now());
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      return document.visibilityState;
    });
    return { md5: order.md5, visibility };
  };

/** One check's round trip from a page: page → proxy → sandbox → page, for pending QRs. */
async function checkRoundTrip(
  tab: Page,
  origin: string,
  create: () => Promise<{ md5: string }>,
  runs = 40,
  warmUp = 5,
): Promise<number[]> {
  await tab.goto(`${origin}/`);
  const times: number[] = [];
  for (let i = 0; i < warmUp + runs; i++) {
    const { md5 } = await create();
    times.push(
      await tab.evaluate(async (md5) => {
        const t0 = performance.now();
        const res = await fetch('/api/khqr/check', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ md5 }),
        });
        const body = (await res.json()) as { status?: string };
        if (body.status !== 'pending') throw new Error(`check answered ${JSON.stringify(body)}`);
        return performance.now() - t0;
      }, md5),
    );
  }
  // The first checks pay for connection set-up and the JIT, not for the chain.
  return times.slice(warmUp).sort((a, b) => a - b);
}

export async function benchEndToEnd(runsPerPhase = 40, parallel = 8): Promise<void> {
  const sandbox = await startSandbox({ port: 0 });
  // The proxy as a merchant would run it, defaults included (1 s not-found reuse, no sweeper);
  // only the per-client limit is raised, since every bench page shares one address.
  const proxy = createKhqrProxy({
    database: temporaryDataDir('bench-e2e'),
    // The shop's page and the proxy share an origin on a port picked at start.
    allowedOrigins: ['http://127.0.0.1:*'],
    bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
    merchant: { accounts: [MERCHANT], name: 'Bench Shop' },
    basePath: '/api/khqr',
    rateLimit: { perClient: 100_000 },
    logger: { info() {}, warn() {}, error: (m, f) => console.error('[proxy]', m, f ?? '') },
  });
  const site = await serveDropInSite(
    '<!doctype html><meta charset="utf-8"><script src="/khqr-checkout.js"></script>',
    proxy,
  );
  const { origin } = site;

  let bill = 0;
  const create = async () => {
    const checkout = await proxy.createCheckout({
      amount: 4000 + 100 * (bill % 50),
      currency: 'KHR',
      billNumber: `BENCH-${++bill}`,
      ttl: 300,
    });
    sandbox.see(checkout.qr);
    return checkout;
  };
  const pay = (md5: string) => void sandbox.pay({ md5 });

  const { fastIntervalMs, slowIntervalMs, fastPhaseMs, jitter } = DEFAULT_POLICY;
  const phases: Phase[] = [
    {
      label: `first minute: a check every ${fastIntervalMs / 1000} s ± ${jitter * 100} %`,
      policy: {},
      sinceStartMs: 0,
      interval: fastIntervalMs,
    },
    {
      label: `after ${fastPhaseMs / 1000} s: every ${slowIntervalMs / 1000} s ± ${jitter * 100} %`,
      policy: { fastPhaseMs: 0 },
      sinceStartMs: fastPhaseMs,
      interval: slowIntervalMs,
    },
  ];

  const browser = await launchChromium();
  const rows: string[][] = [];
  let roundTrip: number[] = [];
  let shop: Awaited<ReturnType<typeof startStorefront>> | undefined;
  try {
    const contexts = await Promise.all(
      Array.from({ length: parallel }, () => browser.newContext()),
    );
    const tabs = await Promise.all(contexts.map((context) => context.newPage()));
    roundTrip = await checkRoundTrip(tabs[0] as Page, origin, create);
    const runs: Array<() => Promise<[string, Phase, Page[], Open, (md5: string) => void]>> = [
      ...phases.map(
        (phase) => async () =>
          [
            '<khqr-checkout> drop-in',
            phase,
            tabs,
            openDropIn(origin, create, phase.policy),
            pay,
          ] as [string, Phase, Page[], Open, (md5: string) => void],
      ),
      async () => {
        // The demo shop as `pnpm demo` runs it, started only now so its Vite start-up does not
        // weigh on the rows above: its own sandbox, proxy (defaults: one address gets 120 checks
        // a minute, so 3 tabs) and the React checkout page.
        const started = await startStorefront({
          port: 0,
          sandboxPort: 0,
          dataDir: null,
          env: {},
        });
        shop = started;
        return [
          'React <KhqrCheckout>, storefront',
          phases[0] as Phase,
          tabs.slice(0, 3),
          openStorefront(started),
          (md5) => void started.sandbox?.pay({ md5 }),
        ];
      },
    ];
    for (const row of runs) {
      const [component, phase, pages, open, payIt] = await row();
      const measured = await measure(pages, runsPerPhase, phase.interval, open, payIt);
      const model = modelled({ ...DEFAULT_POLICY, ...phase.policy }, phase.sinceStartMs);
      rows.push([
        component,
        phase.label,
        seconds(quantile(model, 0.5)),
        seconds(quantile(measured, 0.5)),
        seconds(quantile(model, 0.95)),
        seconds(quantile(measured, 0.95)),
        seconds(measured[measured.length - 1] ?? Number.NaN),
      ]);
    }
  } finally {
    await browser.close();
    await shop?.close();
    await site.close();
    await proxy.close();
    await sandbox.close();
  }
  printTable(
    `End to end: sandbox records the payment → the page shows success (khqr-success; React: onSuccess rendered) (${runsPerPhase} payments a row; Chromium → proxy with its defaults → sandbox, loopback)`,
    [
      'card',
      'polling schedule (DEFAULT_POLICY)',
      'model p50',
      'measured p50',
      'model p95',
      'measured p95',
      'max',
    ],
    rows,
  );
  const ms = (q: number) => `${quantile(roundTrip, q).toFixed(1)} ms`;
  // A median of n uniform waits over an interval T has a standard error of about T·√(0.25/n).
  const se = phases.map((p) => seconds(p.interval * Math.sqrt(0.25 / runsPerPhase))).join(' / ');
  console.log(
    `model: the policy alone (a payment lands at a random moment between two checks). On top of it\n` +
      `comes one check's round trip, page → proxy → sandbox → page: median ${ms(0.5)}, p95 ${ms(0.95)}\n` +
      `on loopback (against real Bakong, add its answer time). The measured p50s carry a sampling error\n` +
      `of about ±${se} at ${runsPerPhase} payments a row.`,
  );
}
