// <khqr-checkout> in real Chromium against the sandbox and the proxy over HTTP.
import '@khqr-checkout/element/define';
import type { KhqrCheckoutElement, KhqrErrorEvent } from '@khqr-checkout/element';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { commands } from 'vitest/browser';
import { catchDownload, scanImage, scanSvg } from '../../../test-utils/scan-qr.ts';

const { proxyUrl, merchant } = inject('khqr');
const fast = {
  firstDelayMs: 50,
  fastIntervalMs: 150,
  slowIntervalMs: 150,
  backoffBaseMs: 150,
  backoffMaxMs: 300,
  graceMs: 1500,
};
const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

async function mount(attributes: Record<string, string>): Promise<KhqrCheckoutElement> {
  const el = document.createElement('khqr-checkout');
  el.pollPolicy = fast;
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  document.body.append(el);
  mounted.push(el);
  await el.updateComplete;
  return el;
}

/** Everything the element fired, by event name. */
function record(el: HTMLElement) {
  const events: Record<string, CustomEvent[]> = {};
  for (const name of ['khqr-success', 'khqr-failed', 'khqr-expired', 'khqr-status', 'khqr-error']) {
    el.addEventListener(name, (e) => {
      events[name] = [...(events[name] ?? []), e as CustomEvent];
    });
  }
  return events;
}

const until = async (condition: () => boolean, timeout = 8000) => {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeout) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** Reads the QR back from the rendered SVG, as a phone camera would. */
const scan = (el: KhqrCheckoutElement) =>
  scanSvg(el.shadowRoot?.querySelector('svg[role="img"]') as SVGSVGElement);

const text = (el: KhqrCheckoutElement, selector: string) =>
  el.shadowRoot?.querySelector(selector)?.textContent?.trim() ?? '';

describe('<khqr-checkout>', () => {
  it('fires khqr-expired after expiry, and offers a new QR', async () => {
    const el = await mount({
      'bakong-account-id': merchant,
      'merchant-name': 'Shop',
      amount: '1000',
      currency: 'KHR',
      lifetime: '2',
      endpoint: `${proxyUrl}/check`,
      lang: 'en',
    });
    const events = record(el);
    const first = await scan(el);
    await until(() => (events['khqr-expired'] ?? []).length > 0, 10_000);
    expect(events['khqr-expired']).toHaveLength(1);
    const button = [...(el.shadowRoot?.querySelectorAll('button') ?? [])].find(
      (b) => b.textContent === 'New QR',
    ) as HTMLButtonElement;
    button.click();
    await el.updateComplete;
    expect(await scan(el)).not.toBe(first);
  });

  it('says the payment is being confirmed while Bakong is out, and recovers without a false result', async () => {
    const el = await mount({
      'bakong-account-id': merchant,
      'merchant-name': 'Shop',
      amount: '2.00',
      currency: 'USD',
      endpoint: `${proxyUrl}/check`,
      lang: 'en',
    });
    const events = record(el);
    const qr = (await scan(el)) as string;
    await until(() => text(el, '.khqr-status') === 'Waiting for payment');
    await commands.sandboxFault({ endpoint: '*', kind: 'server-error', share: 1 });
    // The proxy answers "pending, delayed": it confirms the payment when Bakong is back.
    await until(() => text(el, '.khqr-status').startsWith('Confirming your payment.'));
    expect(events['khqr-error']).toBeUndefined();
    await commands.sandboxPay(qr);
    await commands.sandboxClearFaults();
    await until(() => (events['khqr-success'] ?? []).length > 0);
    expect(events['khqr-failed']).toBeUndefined();
  });

  it('asks the page for a new server QR with a cancelable khqr-refresh, and shows the one it sets', async () => {
    const first = await commands.createCheckout({ amount: '3.00', currency: 'USD' });
    const el = await mount({ qr: first.qr, endpoint: `${proxyUrl}/check` });
    const next = await commands.createCheckout({ amount: '3.00', currency: 'USD' });
    el.addEventListener('khqr-refresh', (event) => {
      expect(event.cancelable).toBe(true);
      expect(event.detail.md5).toBe(first.md5);
      event.preventDefault();
      el.qr = next.qr;
    });
    el.refresh();
    await el.updateComplete;
    expect(await scan(el)).toBe(next.qr);
  });

  it("tells the proxy why it checks: 'paid' from \"I've paid\", 'visible' when the page returns, each on one check", async () => {
    const checkout = await commands.createCheckout({ amount: '5.00', currency: 'USD' });
    const bodies: Array<Record<string, unknown>> = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      if (String(input).endsWith('/check')) bodies.push(JSON.parse(String(init?.body)));
      return realFetch(input, init);
    };
    try {
      const el = await mount({ qr: checkout.qr, endpoint: `${proxyUrl}/check`, lang: 'en' });
      const events = record(el);
      await until(() => bodies.length > 1);
      const signals = () => bodies.map((b) => b.signal).filter(Boolean);
      expect(signals()).toEqual([]);
      const button = [...(el.shadowRoot?.querySelectorAll('button') ?? [])].find(
        (b) => b.textContent === "I've paid, check now",
      ) as HTMLButtonElement;
      button.click();
      await until(() => signals().length === 1);
      expect(bodies.at(-1)).toEqual({ md5: checkout.md5, signal: 'paid' });
      // A timed check follows only once that one settled (a newer check would inherit 'paid').
      const settled = async () => {
        const count = bodies.length;
        await until(() => bodies.length > count);
      };
      await settled();

      const visibility = (state: 'hidden' | 'visible') => {
        Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      try {
        visibility('hidden');
        visibility('visible');
      } finally {
        delete (document as { visibilityState?: string }).visibilityState;
      }
      await until(() => signals().length === 2);
      expect(bodies.at(-1)).toEqual({ md5: checkout.md5, signal: 'visible' });
      await settled();
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      await until(() => signals().length === 3);
      await settled();
      expect(signals()).toEqual(['paid', 'visible', 'visible']);
      await commands.sandboxPay(checkout.qr);
      await until(() => (events['khqr-success'] ?? []).length > 0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('renders a hostile merchant name as text', async () => {
    const el = await mount({
      'bakong-account-id': merchant,
      'merchant-name': '<img src=x onerror=1>',
      amount: '1',
      currency: 'USD',
    });
    expect(text(el, '.khqr-name')).toBe('<img src=x onerror=1>');
    expect(el.shadowRoot?.querySelector('img')).toBeNull();
  });

  it('shows a clear message and fires khqr-error for an invalid configuration, never a QR', async () => {
    const el = document.createElement('khqr-checkout');
    const errors: KhqrErrorEvent[] = [];
    el.addEventListener('khqr-error', (e) => errors.push(e));
    el.setAttribute('bakong-account-id', merchant);
    el.setAttribute('merchant-name', 'Shop');
    el.setAttribute('amount', '1.005');
    el.setAttribute('currency', 'USD');
    el.setAttribute('lang', 'en');
    document.body.append(el);
    mounted.push(el);
    await el.updateComplete;
    expect(errors[0]?.detail).toMatchObject({ kind: 'config', code: '4' });
    expect(el.shadowRoot?.querySelector('svg')).toBeNull();
    expect(text(el, '[role="alert"]')).toContain('USD has at most 2 decimals');
  });

  it('speaks Khmer by default and English on request', async () => {
    const km = await mount({
      'bakong-account-id': merchant,
      'merchant-name': 'Shop',
      amount: '1',
      currency: 'USD',
    });
    expect(text(km, '.khqr-timer span')).toBe('ផុតកំណត់ក្នុងរយៈពេល');
    const en = await mount({
      'bakong-account-id': merchant,
      'merchant-name': 'Shop',
      amount: '1',
      currency: 'USD',
      lang: 'en',
    });
    expect(text(en, '.khqr-timer span')).toBe('Expires in');
  });

  it('downloads the card as a PNG whose QR scans back to the one shown, currency mark and all', async () => {
    const el = await mount({
      'bakong-account-id': merchant,
      'merchant-name': 'Download Shop',
      amount: '48000',
      lang: 'en',
    });
    const shown = await scan(el);
    expect(shown).toMatch(/^000201010212/);
    const button = [...(el.shadowRoot?.querySelectorAll('button') ?? [])].find(
      (b) => b.textContent === 'Download QR',
    );
    const link = await catchDownload(() => button?.click());
    expect(link.download).toMatch(/^khqr-Download-Shop-[0-9a-f]{8}\.png$/);
    expect(link.href).toMatch(/^data:image\/png;base64,/);
    expect(await scanImage(link.href)).toBe(shown);
  });
});
