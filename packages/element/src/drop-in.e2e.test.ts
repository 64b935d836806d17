// The drop-in file on a plain HTML page with only a <script> tag, served with a strict CSP, the
// proxy on the same origin and the sandbox behind it; driven in Debian's Chromium by Playwright.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKhqrProxy, type KhqrProxy } from '@khqr-checkout/proxy';
import { nodeHandler } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, type Sandbox, startSandbox } from '@khqr-checkout/sandbox';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test-utils/chromium.ts';
import { buildDropIn } from '../drop-in.build.ts';

const MERCHANT = 'plain_shop@devb';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; object-src 'none'";
let dropIn: string;
let sandbox: Sandbox;
let proxy: KhqrProxy;
let server: Server;
let url: string;
let browser: Browser;
const pages: Record<string, string> = {};

const page = (
  body: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plain shop</title>
<script src="/khqr-checkout.js"></script></head><body><main><h1>Pay for your order</h1>${body}</main></body></html>`;

beforeAll(async () => {
  // Built here from source, so this test does not depend on `pnpm build` having run.
  dropIn = await buildDropIn();
  sandbox = await startSandbox({ port: 0 });
  proxy = createKhqrProxy({
    database: temporaryDataDir('drop-in-e2e'),
    // The page and the proxy share an origin on a port picked at start: listed, as a shop lists its own.
    allowedOrigins: ['http://127.0.0.1:*'],
    // The expired card is made with a 1 s lifetime.
    minTtlSeconds: 1,
    bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
    merchant: { accounts: [MERCHANT], name: 'Plain Shop' },
    basePath: '/api/khqr',
    // The page makes its QR: accepted, bound to no order.
    validate: () => true,
    notFoundCacheMs: 100,
    logger: { info() {}, warn() {}, error() {} },
  });
  const api = nodeHandler(proxy);
  Object.assign(pages, {
    '/': page(
      `<khqr-checkout bakong-account-id="${MERCHANT}" merchant-name="Plain Shop" amount="4.75" currency="USD" endpoint="/api/khqr/check" lang="en"></khqr-checkout>`,
    ),
    '/km': page(
      `<khqr-checkout bakong-account-id="${MERCHANT}" merchant-name="ហាងសាមញ្ញ" amount="20000" currency="KHR" endpoint="/api/khqr/check" theme="dark"></khqr-checkout>`,
    ),
  });
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path.startsWith('/api/khqr/')) return void api(req, res);
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/khqr-checkout.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(dropIn);
    if (path === '/axe.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(readFileSync(require.resolve('axe-core/axe.min.js')));
    const html = pages[path];
    if (!html) return void res.writeHead(404).end();
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
      })
      .end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await proxy?.close();
  await sandbox?.close();
});

import { createRequire } from 'node:module';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';

const require = createRequire(import.meta.url);

async function open(path: string) {
  const tab = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems: string[] = [];
  tab.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  tab.on('pageerror', (e) => problems.push(e.message));
  await tab.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await tab.goto(url + path);
  await tab.locator('khqr-checkout svg[role="img"]').first().waitFor();
  return { tab, problems };
}

describe('the drop-in <script>', () => {
  it('works from a plain HTML page under a strict CSP, with zero violations, and reports the payment', async () => {
    const { tab, problems } = await open('/');
    const qr = await tab.evaluate(() => {
      const el = document.querySelector('khqr-checkout') as HTMLElement & {
        updateComplete: Promise<unknown>;
      };
      (window as unknown as { paid: number }).paid = 0;
      el.addEventListener('khqr-success', () => {
        (window as unknown as { paid: number }).paid++;
      });
      return (
        JSON.parse(
          sessionStorage.getItem(
            Object.keys(sessionStorage).find((k) => k.startsWith('khqr-checkout:')) ?? '',
          ) ?? '{}',
        ) as { qr: string }
      ).qr;
    });
    expect(qr).toMatch(/^000201010212/);
    await tab.getByText('Waiting for payment').waitFor();
    sandbox.pay({ qr });
    await tab.waitForFunction(() => (window as unknown as { paid: number }).paid === 1, undefined, {
      timeout: 15_000,
    });
    await tab.getByText('Paid', { exact: true }).first().waitFor();
    await tab.waitForTimeout(400); // let the QR fade out before the picture
    await tab.screenshot({ path: join(tmpdir(), 'khqr-drop-in-paid.png') });
    expect(problems).toEqual([]);
    await tab.close();
  });

  it('keeps the same QR across a reload during a pending checkout', async () => {
    const { tab } = await open('/');
    const read = () =>
      tab.evaluate(() => Object.values(sessionStorage).find((v) => v.includes('"qr"')) ?? '');
    const before = await read();
    await tab.reload();
    await tab.locator('khqr-checkout svg[role="img"]').waitFor();
    expect(await read()).toBe(before);
    await tab.close();
  });

  it('passes an axe-core scan, in Khmer and dark theme too', async () => {
    for (const path of ['/', '/km']) {
      const { tab, problems } = await open(path);
      await tab.addScriptTag({ url: '/axe.js' });
      const violations = await tab.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(context: unknown): Promise<{ violations: Array<{ id: string; help: string }> }>;
            };
          }
        ).axe;
        return (await axe.run(document)).violations.map((v) => `${v.id}: ${v.help}`);
      });
      expect(violations).toEqual([]);
      await tab.screenshot({
        path: join(tmpdir(), `khqr-drop-in${path === '/' ? '' : '-km'}.png`),
      });
      expect(problems).toEqual([]);
      await tab.close();
    }
  });

  it('keeps the end states legible in both themes: the overlay text contrasts with the QR panel behind it', async () => {
    const cards = [];
    for (const theme of ['light', 'dark']) {
      for (const end of ['paid', 'failed', 'expired'] as const) {
        const checkout = await proxy.createCheckout({
          amount: 1000,
          currency: 'KHR',
          ttl: end === 'expired' ? 1 : 300,
        });
        sandbox.see(checkout.qr);
        cards.push({ ...checkout, theme, end });
      }
    }
    pages['/ends'] = page(
      cards
        .map(
          (c) =>
            `<khqr-checkout qr="${c.qr}" endpoint="/api/khqr/check" lang="en" theme="${c.theme}"></khqr-checkout>`,
        )
        .join(''),
    );
    const { tab, problems } = await open('/ends');
    // Expired is shown once the grace for a late payment is over: no grace here.
    await tab.evaluate(() => {
      for (const el of document.querySelectorAll('khqr-checkout'))
        (el as HTMLElement & { pollPolicy: unknown }).pollPolicy = { graceMs: 0 };
    });
    for (const c of cards) {
      if (c.end === 'paid') sandbox.pay({ md5: c.md5 });
      if (c.end === 'failed') sandbox.fail({ md5: c.md5 });
    }
    const contrasts = await tab.evaluate(
      async (ends) => {
        const luminance = (color: string) => {
          const [r, g, b] = (color.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
            const c = v / 255;
            return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
        };
        const backdrop = (start: Element) => {
          for (let el: Element | null = start; el; el = el.parentElement) {
            const bg = getComputedStyle(el).backgroundColor;
            if (!/rgba\(.*,\s*0\)$|transparent/.test(bg)) return bg;
          }
          return 'rgb(255, 255, 255)';
        };
        const elements = [...document.querySelectorAll('khqr-checkout')];
        const deadline = Date.now() + 20_000;
        // The status, and on paid the receipt's labels and values.
        const texts = (i: number) => [
          ...(elements[i]?.shadowRoot?.querySelectorAll(
            `.khqr[data-state="${ends[i]}"] .khqr-overlay :is(span:not(.khqr-tick),dt,dd)`,
          ) ?? []),
        ];
        const expected = (i: number) => (ends[i] === 'paid' ? 5 : 1);
        while (ends.some((_, i) => texts(i).length < expected(i)) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
        return ends.map((end, i) => {
          const shown = texts(i);
          if (shown.length < expected(i)) return `${end}: never shown`;
          const ratios = shown.map((text) => {
            const [a, b] = [luminance(getComputedStyle(text).color), luminance(backdrop(text))];
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          });
          return Math.min(...ratios).toFixed(1);
        });
      },
      cards.map((c) => c.end),
    );
    // WCAG AA for this bold, large-ish text is 3:1; ask for the body-text 4.5:1.
    for (const [i, ratio] of contrasts.entries())
      expect(Number(ratio), `${cards[i]?.theme} ${cards[i]?.end}: ${ratio}`).toBeGreaterThanOrEqual(
        4.5,
      );
    expect(problems).toEqual([]);
    await tab.close();
  });

  it('on a phone: downloads the card as a PNG and opens the QR in the bank app through the deep link', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
      acceptDownloads: true,
    });
    const tab = await context.newPage();
    await tab.goto(url);
    const link = tab.getByRole('link', { name: 'Open in bank app' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^${sandbox.url}/bank/\\?md5=[0-9a-f]{32}$`),
    );
    const [download] = await Promise.all([
      tab.waitForEvent('download'),
      tab.getByRole('button', { name: 'Download QR' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^khqr-Plain-Shop-[0-9a-f]{8}\.png$/);
    const file = await download.path();
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    await link.click();
    await tab.waitForURL(/\/bank\//);
    await tab.locator('li.highlight').getByText('Plain Shop').waitFor();
    await context.close();
  });

  it('defines the tag once even when the script is loaded twice', async () => {
    const { tab, problems } = await open('/');
    await tab.addScriptTag({ url: '/khqr-checkout.js' });
    expect(await tab.evaluate(() => customElements.get('khqr-checkout') !== undefined)).toBe(true);
    expect(problems).toEqual([]);
    await tab.close();
  });
});
