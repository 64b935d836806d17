// One behaviour suite for both cards: <khqr-checkout> (Lit, in its shadow root) and <KhqrCheckout>
// (React), driven through a small adapter each, in real Chromium against the sandbox and the
// proxy (test-utils/khqr-servers.ts). Where a test needs answers the real proxy cannot give on
// demand (refusals, 5xx, a renew endpoint, a fixed paidAt), a route of the page's fetch answers.
import '@khqr-checkout/element/define';
import type { KhqrCheckoutElement } from '@khqr-checkout/element';
import { generateKhqr, khqrMd5, verifyKhqr } from '@khqr-checkout/khqr';
import { STRINGS } from '@khqr-checkout/khqr/card';
import type { PollPolicy } from '@khqr-checkout/khqr/session';
import { KhqrCheckout, type KhqrCheckoutProps } from '@khqr-checkout/react';
import jsQR from 'jsqr';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { commands, page } from 'vitest/browser';
import { scanSvg } from '../../../test-utils/scan-qr.ts';

const { proxyUrl, merchant } = inject('khqr');
const check = `${proxyUrl}/check`;

/** Fast and without jitter, so the whole file stays short. */
const fast: Partial<PollPolicy> = {
  firstDelayMs: 50,
  fastIntervalMs: 150,
  slowIntervalMs: 150,
  backoffBaseMs: 150,
  backoffMaxMs: 300,
  graceMs: 1500,
  jitter: 0,
};

/** What a customer reads. English as written here; Khmer from the card's own table. */
const TEXT = {
  en: {
    waiting: 'Waiting for payment',
    reconnecting: 'Reconnecting…',
    lastChecks: 'Checking for a last-second payment…',
    paid: 'Paid',
    failed: 'Payment failed',
    expired: 'This QR has expired',
    newQr: 'New QR',
    download: 'Download QR',
    checkNow: "I've paid, check now",
    paidOn: 'Paid on',
    reference: 'Reference',
    invalid: 'This payment cannot be shown',
    renewFailed: 'Could not get a new QR. Please try again.',
  },
  km: STRINGS.km,
} as const;
type Lang = keyof typeof TEXT;

// ---------------------------------------------------------------------------------------------
// The page's fetch: every request recorded; a few made-up URLs answered here.

interface Call {
  url: string;
  body: Record<string, unknown>;
}
type Route = (body: Record<string, unknown>, init: RequestInit | undefined) => Promise<Response>;
const realFetch = globalThis.fetch;
const calls: Call[] = [];
const routes = new Map<string, Route>();
let fakes = 0;
/** A URL nobody serves; `route` answers it. */
function fake(name: string, route: Route): string {
  const url = `https://shop.test/${name}/${++fakes}`;
  routes.set(url, route);
  return url;
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
/** The real proxy's check endpoint, for a fake route to pass a request on to. */
const toProxy = (init: RequestInit | undefined) => realFetch(check, init);
/** The requests to `url` (any query), optionally only those about `md5`. */
const callsTo = (url: string, md5?: string) =>
  calls.filter((c) => c.url.split('?')[0] === url && (md5 === undefined || c.body.md5 === md5));

beforeEach(() => {
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(String(init?.body ?? 'null')) ?? {};
    } catch {
      // Not JSON: recorded without a body.
    }
    calls.push({ url, body });
    const route = routes.get(url);
    return route ? route(body, init) : realFetch(input, init);
  };
});

// ---------------------------------------------------------------------------------------------
// The two adapters.

/** What a test gives a card: React's prop names; the element adapter turns them into attributes. */
interface CardProps {
  qr?: string;
  bakongAccountId?: string;
  merchantName?: string;
  amount?: string;
  currency?: 'KHR' | 'USD';
  billNumber?: string;
  lifetime?: number;
  endpoint?: string;
  renewEndpoint?: string;
  lang?: Lang;
  pollPolicy?: Partial<PollPolicy>;
  /** A "Continue" link to this href: the element's `continue` slot, React's `continueSlot`. */
  continueHref?: string;
}
type Detail = Record<string, unknown>;
interface Events {
  success: Detail[];
  failed: Detail[];
  expired: Detail[];
  status: Detail[];
  error: Detail[];
}
interface Card {
  /** Where the `.khqr` root is: the element's shadow root, or React's host. */
  root(): ParentNode;
  /** Everything the card told the page, by kind, in order. */
  events: Events;
  /** Renders again with these props changed (React: new callbacks too). */
  update(patch: Partial<CardProps>): Promise<void>;
  /** The "Continue" link the page gave, when the card shows it; else null. */
  continueLink(): HTMLAnchorElement | null;
  unmount(): void;
}
interface CardKind {
  name: string;
  mount(props: CardProps): Promise<Card>;
}

const live: Card[] = [];
afterEach(() => {
  for (const card of live.splice(0)) card.unmount();
  routes.clear();
  calls.length = 0;
  globalThis.fetch = realFetch;
});

const noEvents = (): Events => ({ success: [], failed: [], expired: [], status: [], error: [] });
const shown = (node: Element | null | undefined) =>
  node instanceof HTMLAnchorElement && node.getClientRects().length > 0 ? node : null;

const ATTRIBUTES: Record<string, string> = {
  qr: 'qr',
  bakongAccountId: 'bakong-account-id',
  merchantName: 'merchant-name',
  amount: 'amount',
  currency: 'currency',
  billNumber: 'bill-number',
  lifetime: 'lifetime',
  endpoint: 'endpoint',
  renewEndpoint: 'renew-endpoint',
  lang: 'lang',
};

const element: CardKind = {
  name: '<khqr-checkout>',
  async mount(initial) {
    const el = document.createElement('khqr-checkout') as KhqrCheckoutElement;
    const events = noEvents();
    // Listening before it is connected, as a template binding would.
    for (const kind of ['success', 'failed', 'expired', 'status', 'error'] as const) {
      el.addEventListener(`khqr-${kind}`, (e) => {
        events[kind].push({ ...(e as CustomEvent<object>).detail });
      });
    }
    const apply = (patch: Partial<CardProps>) => {
      for (const [key, value] of Object.entries(patch)) {
        if (key === 'pollPolicy') {
          el.pollPolicy = value as Partial<PollPolicy> | undefined;
        } else if (key === 'continueHref') {
          el.querySelector('a[slot="continue"]')?.remove();
          if (value !== undefined) {
            const a = document.createElement('a');
            a.slot = 'continue';
            a.href = String(value);
            a.textContent = 'Continue';
            el.append(a);
          }
        } else {
          const name = ATTRIBUTES[key] as string;
          if (value === undefined) el.removeAttribute(name);
          else el.setAttribute(name, String(value));
        }
      }
    };
    apply({ pollPolicy: fast, ...initial });
    document.body.append(el);
    await el.updateComplete;
    const card: Card = {
      root: () => el.shadowRoot as ShadowRoot,
      events,
      async update(patch) {
        apply(patch);
        await el.updateComplete;
      },
      continueLink: () =>
        shown(
          el.shadowRoot
            ?.querySelector<HTMLSlotElement>('.khqr-actions slot[name="continue"]')
            ?.assignedElements()[0],
        ),
      unmount: () => el.remove(),
    };
    live.push(card);
    return card;
  },
};

/**
 * React's act(), the act environment switched on only inside it: renders the test makes are
 * flushed at once, and the updates the card makes on its own (its checks' answers) draw no
 * "not wrapped in act" warnings.
 */
function inAct(render: () => void): void {
  const flag = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
  flag.IS_REACT_ACT_ENVIRONMENT = true;
  try {
    act(render);
  } finally {
    flag.IS_REACT_ACT_ENVIRONMENT = false;
  }
}

const react: CardKind = {
  name: '<KhqrCheckout>',
  async mount(initial) {
    const host = document.createElement('div');
    host.style.display = 'inline-block';
    document.body.append(host);
    const root = createRoot(host);
    const events = noEvents();
    let props: CardProps = { pollPolicy: fast, ...initial };
    // Every render passes new callbacks and a new (equal) poll policy, as a parent component's
    // render would.
    const render = () => {
      const { continueHref, pollPolicy, ...rest } = props;
      const all: KhqrCheckoutProps = {
        ...rest,
        ...(pollPolicy ? { pollPolicy: { ...pollPolicy } } : {}),
        ...(continueHref ? { continueSlot: <a href={continueHref}>Continue</a> } : {}),
        onSuccess: (d) => events.success.push({ ...d }),
        onFailed: (d) => events.failed.push({ ...d }),
        onExpired: (d) => events.expired.push({ ...d }),
        onStatusChange: (d) => events.status.push({ ...d }),
        onError: (d) => events.error.push({ ...d }),
      };
      inAct(() => root.render(<KhqrCheckout {...all} />));
    };
    render();
    await until(() => host.querySelector('.khqr') !== null);
    let mounted = true;
    const card: Card = {
      root: () => host,
      events,
      async update(patch) {
        props = { ...props, ...patch };
        render();
      },
      continueLink: () => shown(host.querySelector('.khqr-actions .khqr-continue a')),
      unmount() {
        if (!mounted) return;
        mounted = false;
        inAct(() => root.unmount());
        host.remove();
      },
    };
    live.push(card);
    return card;
  },
};

// ---------------------------------------------------------------------------------------------
// Reading and using a card, the same way for both.

const until = async (condition: () => boolean | Promise<boolean>, timeout = 8000) => {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeout) throw new Error(`timed out: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const khqr = (card: Card) => card.root().querySelector('.khqr');
const stateOf = (card: Card) => khqr(card)?.getAttribute('data-state') ?? null;
const textOf = (card: Card, selector: string) =>
  card.root().querySelector(selector)?.textContent?.trim() ?? '';
/** The line below the card. */
const statusOf = (card: Card) => textOf(card, '.khqr-status');
/** The state said inside the card, over the QR (empty while pending). */
const overlayOf = (card: Card) => textOf(card, '.khqr-overlay > span:not(.khqr-tick)');
const receiptOf = (card: Card) => textOf(card, '.khqr-receipt');
/** The names of the buttons under the card, as a screen reader lists them. */
const buttonsOf = (card: Card) =>
  [...card.root().querySelectorAll('.khqr-actions button')].map((b) => b.textContent?.trim());
function buttonOf(card: Card, name: string): HTMLButtonElement {
  const button = [...card.root().querySelectorAll('button')].find(
    (b) => b.textContent?.trim() === name,
  );
  if (!button)
    throw new Error(`no button "${name}"; the card has ${JSON.stringify(buttonsOf(card))}`);
  return button;
}
const click = (card: Card, name: string) => buttonOf(card, name).click();
const svgOf = (card: Card) =>
  card.root().querySelector('.khqr-qr svg[role="img"]') as SVGSVGElement | null;
/** The QR read back from the card's SVG, as a phone camera would. */
const scan = async (card: Card) => {
  const svg = svgOf(card);
  return svg ? scanSvg(svg) : null;
};
/** What a phone camera reads from the card as Chromium paints it; null when nothing. */
async function photograph(card: Card): Promise<string | null> {
  const base64 = await page.screenshot({
    element: card.root().querySelector('.khqr-card') as Element,
    save: false,
  });
  const bitmap = await createImageBitmap(
    await (await fetch(`data:image/png;base64,${base64}`)).blob(),
  );
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  g.drawImage(bitmap, 0, 0);
  const image = g.getImageData(0, 0, bitmap.width, bitmap.height);
  return jsQR(image.data, image.width, image.height)?.data ?? null;
}
/** Waits for the card to show a readable QR other than `old`, and returns it. */
async function newQr(card: Card, old: string): Promise<string> {
  let qr: string | null = null;
  await until(async () => {
    qr = await scan(card);
    return qr !== null && qr !== old;
  });
  return qr as unknown as string;
}
/** The states it reported, without the pending it may report on mount. */
const statesAfterMount = (card: Card) =>
  card.events.status.map((d) => d.state).filter((s, i) => !(i === 0 && s === 'pending'));

let bills = 0;
/** A bill number no other test (or earlier run in this tab) used: each browser-made QR is new. */
const bill = (tag: string) =>
  `${tag}${Date.now().toString(36).slice(-6)}${(++bills).toString(36)}`.slice(0, 25);
/** The merchant fields of a QR the card makes in the browser. */
const browserMade = (tag: string, extra: Partial<CardProps> = {}): CardProps => ({
  bakongAccountId: merchant,
  merchantName: 'Both Cards Shop',
  amount: '1.50',
  currency: 'USD',
  billNumber: bill(tag),
  ...extra,
});
/** A QR made elsewhere (a server), for a card given `qr` and a fake endpoint. */
const serverQr = () =>
  generateKhqr({
    bakongAccountId: merchant,
    merchantName: 'Server Shop',
    amount: '3.00',
    currency: 'USD',
  }).qr;

// ---------------------------------------------------------------------------------------------

describe.each([element, react])('$name', (kind) => {
  describe('states and their text', () => {
    it.each(['en', 'km'] as const)(
      '%s: pending says it waits, paid is said once inside the card with a receipt, nothing below',
      async (lang) => {
        const t = TEXT[lang];
        const checkout = await commands.createCheckout({ amount: '1.00', currency: 'USD' });
        const card = await kind.mount({ qr: checkout.qr, endpoint: check, lang });
        await until(() => statusOf(card) === t.waiting);
        expect(stateOf(card)).toBe('pending');
        expect(overlayOf(card)).toBe('');
        expect(receiptOf(card)).toBe('');
        await commands.sandboxPay(checkout.qr);
        await until(() => stateOf(card) === 'paid');
        expect(overlayOf(card)).toBe(t.paid);
        expect(statusOf(card)).toBe('');
        const receipt = receiptOf(card);
        expect(receipt).toContain(t.paidOn);
        expect(receipt).toContain(t.reference);
        // No bill number in the proxy's QR: the reference is the md5's start, upper case.
        expect(receipt.endsWith(checkout.md5.slice(0, 8).toUpperCase())).toBe(true);
        await sleep(300);
        expect(card.events.success).toHaveLength(1);
        expect(card.events.success[0]).toMatchObject({
          md5: checkout.md5,
          state: 'paid',
          amount: '1.00',
          currency: 'USD',
        });
        expect(statesAfterMount(card)).toEqual(['paid']);
        expect(card.events.failed).toEqual([]);
        expect(card.events.expired).toEqual([]);
      },
    );

    it.each(['en', 'km'] as const)(
      '%s: a failed payment is said once inside the card, nothing below',
      async (lang) => {
        const t = TEXT[lang];
        const checkout = await commands.createCheckout({ amount: 40000, currency: 'KHR' });
        const card = await kind.mount({ qr: checkout.qr, endpoint: check, lang });
        expect(textOf(card, '.khqr-value')).toBe('40,000');
        expect(textOf(card, '.khqr-currency')).toBe('KHR');
        expect(await scan(card)).toBe(checkout.qr);
        await until(() => statusOf(card) === t.waiting);
        await commands.sandboxFail(checkout.qr);
        await until(() => stateOf(card) === 'failed');
        expect(overlayOf(card)).toBe(t.failed);
        expect(statusOf(card)).toBe('');
        expect(receiptOf(card)).toBe('');
        await sleep(300);
        expect(card.events.failed).toHaveLength(1);
        expect(card.events.failed[0]).toMatchObject({ md5: checkout.md5, state: 'failed' });
        expect(statesAfterMount(card)).toEqual(['failed']);
        expect(card.events.success).toEqual([]);
      },
    );

    it.each(['en', 'km'] as const)(
      '%s: past expiry the QR is covered and cannot be downloaded until the verdict, then it says expired once',
      async (lang) => {
        const t = TEXT[lang];
        let verdict: 'pending' | 'expired' = 'pending';
        const endpoint = fake('check', async () => json(200, { status: verdict }));
        // The client's own grace is long: only the endpoint's verdict ends it here.
        const card = await kind.mount({
          ...browserMade('GRACE', { lifetime: 0.8 }),
          endpoint,
          lang,
          pollPolicy: { ...fast, graceMs: 20_000 },
        });
        const opacity = () => Number(getComputedStyle(svgOf(card) as Element).opacity);
        expect(khqr(card)?.hasAttribute('data-grace')).toBe(false);
        expect(buttonsOf(card)).toEqual([t.checkNow, t.download]);
        expect(opacity()).toBe(1);

        await until(() => khqr(card)?.hasAttribute('data-grace') === true, 4000);
        expect(stateOf(card)).toBe('pending');
        expect(buttonsOf(card)).toEqual([t.checkNow]);
        // Covered (the cover fades in): a phone cannot read it from the screen.
        await until(() => opacity() < 0.1, 2000);
        expect(await photograph(card)).toBeNull();
        // Said once, over the covered QR; nothing repeats it below.
        expect(overlayOf(card)).toBe(t.lastChecks);
        expect(statusOf(card)).toBe('');
        expect(textOf(card, '.khqr-time')).toBe('00:00');
        expect(card.events.expired).toEqual([]);

        verdict = 'expired';
        await until(() => stateOf(card) === 'expired');
        expect(khqr(card)?.hasAttribute('data-grace')).toBe(false);
        expect(overlayOf(card)).toBe(t.expired);
        expect(statusOf(card)).toBe('');
        // A browser-made QR can be made again.
        expect(buttonsOf(card)).toEqual([t.newQr]);
        await sleep(300);
        expect(card.events.expired).toHaveLength(1);
        expect(statesAfterMount(card)).toEqual(['expired']);
      },
    );
  });

  describe('exactly once', () => {
    it('fires success once, also after re-renders that change the language', async () => {
      const checkout = await commands.createCheckout({ amount: '2.00', currency: 'USD' });
      const card = await kind.mount({ qr: checkout.qr, endpoint: check, lang: 'en' });
      await until(() => statusOf(card) === TEXT.en.waiting);
      await commands.sandboxPay(checkout.qr);
      await until(() => card.events.success.length > 0);
      await card.update({ lang: 'km' });
      await until(() => overlayOf(card) === TEXT.km.paid);
      await card.update({ lang: 'en' });
      await until(() => overlayOf(card) === TEXT.en.paid);
      await sleep(400);
      expect(card.events.success).toHaveLength(1);
      expect(statesAfterMount(card)).toEqual(['paid']);
      expect(stateOf(card)).toBe('paid');
    });

    it('a re-render with an equal poll policy after paid stays paid: no new status, no new check', async () => {
      const checkout = await commands.createCheckout({ amount: '2.10', currency: 'USD' });
      const card = await kind.mount({ qr: checkout.qr, endpoint: check, lang: 'en' });
      await commands.sandboxPay(checkout.qr);
      await until(() => stateOf(card) === 'paid');
      await sleep(200);
      const checks = callsTo(check, checkout.md5).length;
      const seen = new Set<string | null>();
      await card.update({ pollPolicy: { ...fast } });
      for (let i = 0; i < 20; i++) {
        seen.add(stateOf(card));
        await sleep(20);
      }
      expect([...seen]).toEqual(['paid']);
      expect(statesAfterMount(card)).toEqual(['paid']);
      expect(card.events.success).toHaveLength(1);
      expect(callsTo(check, checkout.md5)).toHaveLength(checks);
    });

    it('a card mounted again for a paid checkout tells its own listener once', async () => {
      const checkout = await commands.createCheckout({ amount: '2.20', currency: 'USD' });
      const first = await kind.mount({ qr: checkout.qr, endpoint: check, lang: 'en' });
      await commands.sandboxPay(checkout.qr);
      await until(() => first.events.success.length > 0);
      first.unmount();
      // The page comes back to the checkout (a route of a single-page app), with a new listener.
      const again = await kind.mount({ qr: checkout.qr, endpoint: check, lang: 'en' });
      await until(() => stateOf(again) === 'paid');
      await sleep(300);
      expect(again.events.success).toHaveLength(1);
      expect(again.events.success[0]).toMatchObject({ md5: checkout.md5, state: 'paid' });
    });
  });

  describe('a reload', () => {
    it('shows the same browser-made QR after an unmount and a remount, and keeps watching it', async () => {
      const fields = {
        ...browserMade('KEEP', { merchantName: 'សុខ កាហ្វេ', amount: '12.50' }),
        endpoint: check,
        lang: 'en' as const,
      };
      const first = await kind.mount(fields);
      const qr = await scan(first);
      expect(verifyKhqr(qr as string)).toMatchObject({
        valid: true,
        data: {
          bakongAccountId: merchant,
          merchantName: 'សុខ កាហ្វេ',
          amount: '12.50',
          currency: 'USD',
          billNumber: fields.billNumber,
        },
      });
      expect(textOf(first, '.khqr-value')).toBe('12.50');
      expect(svgOf(first)?.getAttribute('aria-label')).toBe(
        'KHQR code to pay 12.50 USD to សុខ កាហ្វេ',
      );
      await until(() => callsTo(check, khqrMd5(qr as string)).length > 0);
      // Kept in this tab's sessionStorage, which a reload keeps.
      expect(Object.values(sessionStorage).some((v) => v.includes(qr as string))).toBe(true);
      first.unmount();
      const again = await kind.mount(fields);
      expect(await scan(again)).toBe(qr);
      await until(() => statusOf(again) === TEXT.en.waiting);
      const before = callsTo(check, khqrMd5(qr as string)).length;
      await until(() => callsTo(check, khqrMd5(qr as string)).length > before);
    });

    it('shows paid after a remount once its browser-made QR was paid, with the bill number as reference, not a fresh QR', async () => {
      const fields = { ...browserMade('PAIDRL'), endpoint: check, lang: 'en' as const };
      const first = await kind.mount(fields);
      const qr = (await scan(first)) as string;
      await until(() => statusOf(first) === TEXT.en.waiting);
      // The customer pays and says so, again each second while it is not seen: the proxy asks
      // Bakong for a signal when its last look at the QR is a second old (else it waits for its
      // 5 s round of browser-made QRs).
      await commands.sandboxPay(qr);
      let said = 0;
      await until(() => {
        if (stateOf(first) === 'paid') return true;
        if (performance.now() - said > 1100) {
          said = performance.now();
          click(first, TEXT.en.checkNow);
        }
        return false;
      });
      first.unmount();
      const again = await kind.mount(fields);
      expect(await scan(again)).toBe(qr);
      await until(() => stateOf(again) === 'paid');
      expect(overlayOf(again)).toBe(TEXT.en.paid);
      expect(receiptOf(again).endsWith(fields.billNumber as string)).toBe(true);
      expect(buttonsOf(again)).toEqual([]);
    });
  });

  describe('two cards of one checkout on a page', () => {
    it('only one polls; both show paid; neither tells its page twice', async () => {
      const checkout = await commands.createCheckout({ amount: '2.30', currency: 'USD' });
      // The same proxy under two addresses, so each card's checks can be told apart.
      const a = await kind.mount({ qr: checkout.qr, endpoint: `${check}?card=a`, lang: 'en' });
      const b = await kind.mount({ qr: checkout.qr, endpoint: `${check}?card=b`, lang: 'en' });
      const of = (card: string) => calls.filter((c) => c.url === `${check}?card=${card}`).length;
      await until(() => of('a') + of('b') >= 5);
      expect(Math.min(of('a'), of('b'))).toBe(0);
      for (const card of [a, b]) expect(statusOf(card)).toBe(TEXT.en.waiting);
      await commands.sandboxPay(checkout.qr);
      await until(() => stateOf(a) === 'paid' && stateOf(b) === 'paid');
      await sleep(300);
      expect(Math.min(of('a'), of('b'))).toBe(0);
      for (const card of [a, b]) {
        expect(overlayOf(card)).toBe(TEXT.en.paid);
        expect(card.events.success.length).toBeLessThanOrEqual(1);
      }
      expect(a.events.success.length + b.events.success.length).toBeGreaterThan(0);
    });
  });

  describe('signals', () => {
    it('the check-now button sends one check with signal paid', async () => {
      const checkout = await commands.createCheckout({ amount: '2.40', currency: 'USD' });
      const card = await kind.mount({ qr: checkout.qr, endpoint: check, lang: 'en' });
      const signals = () => callsTo(check, checkout.md5).map((c) => c.body.signal);
      await until(() => signals().length >= 2);
      expect(signals().filter(Boolean)).toEqual([]);
      click(card, TEXT.en.checkNow);
      await until(() => signals().filter(Boolean).length > 0);
      expect(callsTo(check, checkout.md5).at(-1)?.body).toEqual({
        md5: checkout.md5,
        signal: 'paid',
      });
      const count = signals().length;
      await until(() => signals().length >= count + 2);
      expect(signals().filter(Boolean)).toEqual(['paid']);
    });
  });

  describe('an endpoint that refuses', () => {
    it.each([400, 404])(
      'a %i with an error body shows its message, tells the page once and stops polling',
      async (status) => {
        const endpoint = fake('check', async () =>
          json(status, {
            error: { code: `refused_${status}`, message: `No checkout here (${status}).` },
          }),
        );
        const qr = serverQr();
        const card = await kind.mount({ qr, endpoint, lang: 'en' });
        await until(() => card.events.error.length > 0);
        // The card says it cannot be paid, over a covered QR; the cause is below it.
        await until(() => statusOf(card) === `No checkout here (${status}).`);
        expect(overlayOf(card)).toBe(TEXT.en.invalid);
        expect(card.root().querySelector('.khqr')?.hasAttribute('data-refused')).toBe(true);
        // Covered once the cover has faded in: a phone cannot read it from the screen.
        await until(() => Number(getComputedStyle(svgOf(card) as Element).opacity) < 0.1, 2000);
        expect(await photograph(card)).toBeNull();
        expect(card.events.error[0]).toMatchObject({
          kind: 'config',
          code: `refused_${status}`,
          message: `No checkout here (${status}).`,
          md5: khqrMd5(qr),
        });
        const asked = callsTo(endpoint).length;
        expect(asked).toBe(1);
        await sleep(450);
        // Nothing to press that would ask an endpoint that refused, or pay what cannot be paid.
        expect(card.root().querySelectorAll('.khqr-actions button')).toHaveLength(0);
        await sleep(200);
        expect(callsTo(endpoint)).toHaveLength(asked);
        expect(card.events.error).toHaveLength(1);
        expect(card.events.failed).toEqual([]);
        expect(card.events.expired).toEqual([]);
      },
    );

    it('a 5xx says reconnecting, tells the page once, then recovers and sees the payment', async () => {
      let answered = 0;
      let paid = false;
      const endpoint = fake('check', async () => {
        answered++;
        if (answered <= 2) return json(503, { error: { code: 'unavailable', message: 'Down.' } });
        return json(200, { status: paid ? 'paid' : 'pending' });
      });
      const card = await kind.mount({ qr: serverQr(), endpoint, lang: 'en' });
      await until(() => statusOf(card) === TEXT.en.reconnecting);
      expect(khqr(card)?.hasAttribute('data-reconnecting')).toBe(true);
      expect(stateOf(card)).toBe('pending');
      await until(() => statusOf(card) === TEXT.en.waiting);
      expect(khqr(card)?.hasAttribute('data-reconnecting')).toBe(false);
      expect(card.events.error).toHaveLength(1);
      expect(card.events.error[0]).toMatchObject({ kind: 'transport', code: 'reconnecting' });
      paid = true;
      await until(() => stateOf(card) === 'paid');
      await sleep(300);
      expect(card.events.success).toHaveLength(1);
      expect(card.events.error).toHaveLength(1);
      expect(card.events.failed).toEqual([]);
      expect(card.events.expired).toEqual([]);
    });
  });

  describe('a misconfigured or missing payment server says so (for the developer)', () => {
    /** The English lines, as written here; Khmer from the card's own table. */
    const SAID = {
      origin: (origin: string) =>
        `This page's origin (${origin}) is not in the payment server's allowed origins (allowedOrigins, KHQR_ALLOWED_ORIGINS).`,
      notFound: (url: string, status: number) =>
        `No payment server at ${url} (${status}). Check the card's endpoint.`,
      unreachable: (url: string, answered?: number) =>
        `Can't reach the payment server at ${url}${answered ? ` (it answered ${answered}, not the proxy)` : ''}. Still trying…`,
    };
    let logged: string[];
    beforeEach(() => {
      logged = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        const line = args.map(String).join(' ');
        if (line.startsWith('[khqr-checkout]')) logged.push(line);
      });
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });
    const opacity = (card: Card) => Number(getComputedStyle(svgOf(card) as Element).opacity);

    /** What every configuration refusal looks like: covered, nothing to press, asked once. */
    async function refusedOnce(card: Card, endpoint: string, code: string, said: string) {
      await until(() => statusOf(card) === said);
      expect(khqr(card)?.hasAttribute('data-refused')).toBe(true);
      // Not payable-looking: covered once the cover has faded in; a phone cannot read it.
      await until(() => opacity(card) < 0.1, 2000);
      expect(await photograph(card)).toBeNull();
      expect(card.root().querySelectorAll('.khqr-actions button')).toHaveLength(0);
      expect(card.events.error).toHaveLength(1);
      expect(card.events.error[0]).toMatchObject({ kind: 'config', code });
      // The detail on the console, once; no more checks.
      await sleep(500);
      expect(callsTo(endpoint)).toHaveLength(1);
      expect(logged).toEqual([`[khqr-checkout] ${card.events.error[0]?.message}`]);
    }

    it.each(['en', 'km'] as const)(
      '%s: a proxy whose allowedOrigins lacks this page names the origin, over a covered QR',
      async (lang) => {
        // A real proxy of the shop, set up for https://shop.example only.
        const endpoint = `${proxyUrl}/elsewhere/check`;
        const card = await kind.mount({ qr: serverQr(), endpoint, lang });
        const origin = location.origin;
        const said =
          lang === 'en'
            ? SAID.origin(origin)
            : STRINGS.km.problem({
                kind: 'origin_not_allowed',
                endpoint,
                origin,
                status: 403,
                detail: '',
              });
        await refusedOnce(card, endpoint, 'origin_not_allowed', said);
        expect(overlayOf(card)).toBe(TEXT[lang].invalid);
        expect(card.events.error[0]?.message).toBe(SAID.origin(origin));
      },
    );

    it('an endpoint path the proxy does not have (its route-not-found): no payment server there', async () => {
      // The real proxy, at a path that is none of its routes.
      const endpoint = `${proxyUrl}/api/khqr/check`;
      const card = await kind.mount({ ...browserMade('NOROUTE'), endpoint, lang: 'en' });
      await refusedOnce(card, endpoint, 'endpoint_not_found', SAID.notFound(endpoint, 404));
      expect(overlayOf(card)).toBe(TEXT.en.invalid);
    });

    it("an endpoint answering the shop server's HTML 404: no payment server there", async () => {
      const endpoint = fake(
        'no-such-page',
        async () =>
          new Response('<!doctype html><title>Not Found</title><h1>404 Not Found</h1>', {
            status: 404,
            headers: { 'content-type': 'text/html' },
          }),
      );
      const card = await kind.mount({ qr: serverQr(), endpoint, lang: 'en' });
      await refusedOnce(card, endpoint, 'endpoint_not_found', SAID.notFound(endpoint, 404));
      expect(overlayOf(card)).toBe(TEXT.en.invalid);
    });

    it('a proxy that is not running (a port nothing listens on): says so after a few tries, keeps the QR scannable and keeps trying', async () => {
      const { port } = (await (await realFetch(`${proxyUrl}/dead-port`)).json()) as {
        port: number;
      };
      const endpoint = `http://127.0.0.1:${port}/api/khqr/check`;
      const qr = serverQr();
      const card = await kind.mount({ qr, endpoint, lang: 'en' });
      await until(() => statusOf(card) === TEXT.en.reconnecting);
      await until(() => statusOf(card) === SAID.unreachable(endpoint));
      expect(callsTo(endpoint).length).toBeGreaterThanOrEqual(3);
      // The customer may be paying it: not covered, still scannable, still checkable.
      expect(stateOf(card)).toBe('pending');
      expect(khqr(card)?.hasAttribute('data-refused')).toBe(false);
      expect(opacity(card)).toBe(1);
      expect(await photograph(card)).toBe(qr);
      expect(buttonsOf(card)).toEqual([TEXT.en.checkNow, TEXT.en.download]);
      // Still asking, and told once, on the console and to the page.
      const asked = callsTo(endpoint).length;
      await until(() => callsTo(endpoint).length >= asked + 2);
      expect(statusOf(card)).toBe(SAID.unreachable(endpoint));
      expect(logged).toEqual([`[khqr-checkout] ${SAID.unreachable(endpoint)}`]);
      expect(card.events.error).toEqual([
        expect.objectContaining({ kind: 'transport', code: 'reconnecting' }),
        {
          kind: 'transport',
          code: 'unreachable',
          message: SAID.unreachable(endpoint),
          md5: khqrMd5(qr),
        },
      ]);
      expect(card.events.expired).toEqual([]);
    });

    it("a gateway's 502 page with the proxy down is no answer: says so naming the 502, keeps the QR payable, ends with the proxy's first answer", async () => {
      let up = false;
      const checkout = await commands.createCheckout({ amount: '2.80', currency: 'USD' });
      const endpoint = fake('gateway', async (_, init) =>
        up
          ? toProxy(init)
          : new Response(
              '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
              {
                status: 502,
                headers: { 'content-type': 'text/html' },
              },
            ),
      );
      const card = await kind.mount({ qr: checkout.qr, endpoint, lang: 'en' });
      await until(() => statusOf(card) === SAID.unreachable(endpoint, 502));
      expect(callsTo(endpoint).length).toBeGreaterThanOrEqual(3);
      expect(stateOf(card)).toBe('pending');
      expect(khqr(card)?.hasAttribute('data-refused')).toBe(false);
      expect(opacity(card)).toBe(1);
      expect(await photograph(card)).toBe(checkout.qr);
      expect(logged).toEqual([`[khqr-checkout] ${SAID.unreachable(endpoint, 502)}`]);
      expect(card.events.error.at(-1)).toMatchObject({
        kind: 'transport',
        code: 'unreachable',
        message: SAID.unreachable(endpoint, 502),
      });
      up = true;
      await until(() => statusOf(card) === TEXT.en.waiting);
      // Down again after the proxy answered: the same 502 page is only "reconnecting".
      up = false;
      await until(() => statusOf(card) === TEXT.en.reconnecting);
      const asked = callsTo(endpoint).length;
      await until(() => callsTo(endpoint).length >= asked + 4);
      expect(statusOf(card)).toBe(TEXT.en.reconnecting);
      up = true;
      await commands.sandboxPay(checkout.qr);
      await until(() => stateOf(card) === 'paid');
      expect(logged).toHaveLength(1);
    });

    it('a server that comes up: the first answer ends the message; one that answered before only reconnects', async () => {
      let up = false;
      const checkout = await commands.createCheckout({ amount: '2.70', currency: 'USD' });
      const endpoint = fake('late', async (_, init) => {
        if (!up) throw new TypeError('Failed to fetch');
        return toProxy(init);
      });
      const card = await kind.mount({ qr: checkout.qr, endpoint, lang: 'en' });
      await until(() => statusOf(card) === SAID.unreachable(endpoint));
      up = true;
      await until(() => statusOf(card) === TEXT.en.waiting);
      // Down again after it answered: "reconnecting", however long it lasts.
      up = false;
      await until(() => statusOf(card) === TEXT.en.reconnecting);
      const asked = callsTo(endpoint).length;
      await until(() => callsTo(endpoint).length >= asked + 5);
      expect(statusOf(card)).toBe(TEXT.en.reconnecting);
      expect(khqr(card)?.hasAttribute('data-refused')).toBe(false);
      up = true;
      await commands.sandboxPay(checkout.qr);
      await until(() => stateOf(card) === 'paid');
      expect(logged).toHaveLength(1);
    });
  });

  describe('New QR on a browser-made QR', () => {
    it('after expiry: a different QR that scans, is watched, and is the one a remount shows', async () => {
      let expiredMd5: unknown;
      // The first QR this endpoint hears of has expired; the rest go to the real proxy.
      const endpoint = fake('check', async (body, init) => {
        expiredMd5 ??= body.md5;
        return body.md5 === expiredMd5 ? json(200, { status: 'expired' }) : toProxy(init);
      });
      const fields = { ...browserMade('RENEWX'), endpoint, lang: 'en' as const };
      const card = await kind.mount(fields);
      const old = (await scan(card)) as string;
      await until(() => stateOf(card) === 'expired');
      expect(card.events.expired).toHaveLength(1);
      click(card, TEXT.en.newQr);
      const next = await newQr(card, old);
      expect(verifyKhqr(next)).toMatchObject({
        valid: true,
        data: { amount: '1.50', currency: 'USD', bakongAccountId: merchant },
      });
      await until(() => statusOf(card) === TEXT.en.waiting);
      expect(stateOf(card)).toBe('pending');
      expect(overlayOf(card)).toBe('');
      await until(() => callsTo(endpoint, khqrMd5(next)).length > 0);
      card.unmount();
      const again = await kind.mount(fields);
      expect(await scan(again)).toBe(next);
    });

    it('after a failure: a different QR that scans, which the card hands the proxy and watches', async () => {
      let failedMd5: unknown;
      // The first QR this endpoint hears of failed; the rest go to the real proxy.
      const endpoint = fake('check', async (body, init) => {
        failedMd5 ??= body.md5;
        return body.md5 === failedMd5 ? json(200, { status: 'failed' }) : toProxy(init);
      });
      const card = await kind.mount({ ...browserMade('RENEWF'), endpoint, lang: 'en' });
      const old = (await scan(card)) as string;
      await until(() => stateOf(card) === 'failed');
      expect(overlayOf(card)).toBe(TEXT.en.failed);
      click(card, TEXT.en.newQr);
      const next = await newQr(card, old);
      expect(verifyKhqr(next)).toMatchObject({ valid: true, data: { amount: '1.50' } });
      // The proxy heard of it from the card (a browser QR travels with its first checks).
      await until(() => callsTo(endpoint, khqrMd5(next)).length > 1);
      expect(callsTo(endpoint, khqrMd5(next))[0]?.body).toMatchObject({ qr: next });
      // The proxy took it: the next check goes without the QR.
      expect(callsTo(endpoint, khqrMd5(next))[1]?.body.qr).toBeUndefined();
      expect(statusOf(card)).toBe(TEXT.en.waiting);
      expect(stateOf(card)).toBe('pending');
      await sleep(250);
      expect(card.events.failed.map((d) => d.md5)).toEqual([khqrMd5(old)]);
      expect(card.events.success).toEqual([]);
    });
  });

  describe('New QR on a server-made QR (renew-endpoint / renewEndpoint)', () => {
    /** Brings a card of a real server checkout to `end`: failed in the sandbox, or expired. */
    async function ended(end: 'failed' | 'expired', props: Partial<CardProps>) {
      const checkout = await commands.createCheckout({ amount: '3.50', currency: 'USD' });
      // Expired: the check endpoint says so for this QR; any other QR goes to the real proxy.
      const endpoint =
        end === 'failed'
          ? check
          : fake('check', async (body, init) =>
              body.md5 === checkout.md5 ? json(200, { status: 'expired' }) : toProxy(init),
            );
      const card = await kind.mount({ qr: checkout.qr, endpoint, lang: 'en', ...props });
      if (end === 'failed') {
        await until(() => statusOf(card) === TEXT.en.waiting);
        await commands.sandboxFail(checkout.qr);
      }
      await until(() => stateOf(card) === end);
      return { card, checkout, endpoint };
    }

    it.each(['failed', 'expired'] as const)(
      'when %s: posts the old md5 to the renew endpoint, then shows and watches the QR it answers',
      async (end) => {
        const asked: unknown[] = [];
        let next: { qr: string; md5: string } | undefined;
        const renewEndpoint = fake('renew', async (body) => {
          asked.push(body);
          next = await commands.createCheckout({ amount: '3.50', currency: 'USD' });
          return json(200, { qr: next.qr });
        });
        const { card, checkout, endpoint } = await ended(end, { renewEndpoint });
        expect(buttonsOf(card)).toEqual([TEXT.en.newQr]);
        click(card, TEXT.en.newQr);
        await until(async () => next !== undefined && (await scan(card)) === next.qr);
        const renewed = next as { qr: string; md5: string };
        expect(asked).toEqual([{ md5: checkout.md5 }]);
        await until(() => statusOf(card) === TEXT.en.waiting);
        expect(stateOf(card)).toBe('pending');
        await until(() => callsTo(endpoint, renewed.md5).length > 0);
        await commands.sandboxPay(renewed.qr);
        await until(() => stateOf(card) === 'paid');
        await sleep(300);
        expect(card.events.success.map((d) => d.md5)).toEqual([renewed.md5]);
        expect(card.events[end].map((d) => d.md5)).toEqual([checkout.md5]);
      },
    );

    it('understands an answer with the QR in checkout.qr', async () => {
      let next: { qr: string } | undefined;
      const renewEndpoint = fake('renew', async () => {
        next = await commands.createCheckout({ amount: '3.50', currency: 'USD' });
        return json(200, { orderId: '42', checkout: { qr: next.qr } });
      });
      const { card } = await ended('failed', { renewEndpoint });
      click(card, TEXT.en.newQr);
      await until(async () => next !== undefined && (await scan(card)) === next.qr);
      await until(() => statusOf(card) === TEXT.en.waiting);
    });

    it.each(['failed', 'expired'] as const)(
      'when %s without a renew endpoint: no New QR button',
      async (end) => {
        const { card } = await ended(end, {});
        await sleep(200);
        expect(buttonsOf(card)).toEqual([]);
        expect(overlayOf(card)).toBe(TEXT.en[end]);
      },
    );

    it('a failing renew request says so below the card and keeps the button, which tries again', async () => {
      let tries = 0;
      let next: { qr: string } | undefined;
      const renewEndpoint = fake('renew', async () => {
        tries++;
        if (tries === 1)
          return json(500, { error: { code: 'boom', message: 'Checkout service down' } });
        next = await commands.createCheckout({ amount: '3.50', currency: 'USD' });
        return json(200, { qr: next.qr });
      });
      const { card, checkout } = await ended('failed', { renewEndpoint });
      click(card, TEXT.en.newQr);
      await until(() => statusOf(card) !== '');
      expect(statusOf(card).startsWith(TEXT.en.renewFailed)).toBe(true);
      expect(statusOf(card)).toContain('Checkout service down');
      await until(() => !buttonOf(card, TEXT.en.newQr).disabled);
      expect(stateOf(card)).toBe('failed');
      expect(await scan(card)).toBe(checkout.qr);
      click(card, TEXT.en.newQr);
      await until(async () => next !== undefined && (await scan(card)) === next.qr);
      await until(() => statusOf(card) === TEXT.en.waiting);
      expect(tries).toBe(2);
    });
  });

  describe('paid', () => {
    it('the receipt shows when the proxy says it was paid, and the md5 reference of a QR without a bill number', async () => {
      const qr = serverQr();
      const paidAt = Date.UTC(2026, 2, 14, 12, 0);
      const endpoint = fake('check', async () =>
        json(200, { status: 'paid', serverNow: Date.now(), paidAt }),
      );
      const card = await kind.mount({ qr, endpoint, lang: 'en' });
      await until(() => stateOf(card) === 'paid');
      const receipt = receiptOf(card);
      expect(receipt).toContain('Paid on');
      // Noon UTC is 14 March in every time zone from UTC−11 to UTC+11.
      expect(receipt).toContain('14 Mar 2026');
      expect(receipt).toContain(`Reference${khqrMd5(qr).slice(0, 8).toUpperCase()}`);
      expect(statusOf(card)).toBe('');
    });

    it('the continue link shows only once paid', async () => {
      const checkout = await commands.createCheckout({ amount: '2.60', currency: 'USD' });
      const card = await kind.mount({
        qr: checkout.qr,
        endpoint: check,
        lang: 'en',
        continueHref: '/orders/42',
      });
      await until(() => statusOf(card) === TEXT.en.waiting);
      expect(card.continueLink()).toBeNull();
      await commands.sandboxPay(checkout.qr);
      await until(() => stateOf(card) === 'paid');
      await until(() => card.continueLink() !== null);
      const link = card.continueLink() as HTMLAnchorElement;
      expect(link.textContent).toBe('Continue');
      expect(new URL(link.href).pathname).toBe('/orders/42');
      expect(statusOf(card)).toBe('');
    });
  });
});
