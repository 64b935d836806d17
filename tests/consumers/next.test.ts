// The packed packages in a Next.js 16 App Router app (Turbopack), set up as packages/react/README.md
// shows: type-checked with TypeScript 5.9 and 7, built with `next build` without Bakong's token,
// then served by `next start` against the packed sandbox: the server-rendered card, the proxy as a
// route handler, and both cards (React and <khqr-checkout>) paid in Chromium.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { scanPng } from '../../test-utils/card-states.ts';
import { launchChromium } from '../../test-utils/chromium.ts';
import { run, start, TEMPLATES } from './harness.ts';

const app = join(inject('consumerRoot'), 'next-app');
const NEXT = 'node_modules/next/dist/bin/next';
/** No telemetry, and no Bakong token or URL: the build must not need them. */
const BUILD_ENV = {
  NEXT_TELEMETRY_DISABLED: '1',
  BAKONG_TOKEN: undefined,
  BAKONG_BASE_URL: undefined,
};
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

const build = () => run('node', [NEXT, 'build'], app, BUILD_ENV);

/** The md5 the proxy knows a KHQR by. */
const md5Of = (qr: string) => createHash('md5').update(qr).digest('hex');

describe('the Next.js app (App Router, Turbopack)', () => {
  test('it type-checks with TypeScript 5.9 and 7 (strict, exactOptionalPropertyTypes, skipLibCheck off), with the route types Next generates', async () => {
    // `next typegen` writes next-env.d.ts and .next/types (what `next build` writes first).
    await run('node', [NEXT, 'typegen'], app, BUILD_ENV);
    await run('npx', ['tsc', '--version'], app).then((v) => expect(v).toMatch(/Version 5\.9\./));
    await run('npm', ['run', 'typecheck'], app);
    await run('node', ['node_modules/typescript7/bin/tsc', '--version'], app).then((v) =>
      expect(v).toMatch(/Version 7\./),
    );
    await run('npm', ['run', 'typecheck7'], app);
  });

  test("next build (Turbopack) succeeds without Bakong's token: no proxy is made at build time, every route is dynamic", async () => {
    const output = await build();
    expect(output).toMatch(/Next\.js 16\.\d+\.\d+ \(Turbopack\)/);
    for (const route of ['/api/khqr/[...path]', '/checkout/[order]', '/element/[order]'])
      expect(output).toContain(`ƒ ${route}`);
    // A proxy made at build time would have opened its ledger in the project directory.
    expect(existsSync(join(app, '.khqr-data'))).toBe(false);
    // Next accepted the strict tsconfig as it is (it rewrites one it does not).
    expect(readFileSync(join(app, 'tsconfig.json'), 'utf8')).toBe(
      readFileSync(join(TEMPLATES, 'next-app/tsconfig.json'), 'utf8'),
    );
  });
});

describe('next start', () => {
  let url = '';
  let output: () => string = () => '';
  let sandboxUrl = '';

  beforeAll(async () => {
    if (!existsSync(join(app, '.next/BUILD_ID'))) await build();
    const sandbox = await start('node', ['sandbox.mjs'], app, {}, /sandbox (\S+) token (\S+)/);
    children.push(sandbox.child);
    const [, bakong = '', token = ''] = sandbox.match;
    sandboxUrl = bakong;
    const server = await start(
      'node',
      [NEXT, 'start', '--hostname', '127.0.0.1', '--port', '0'],
      app,
      {
        NEXT_TELEMETRY_DISABLED: '1',
        BAKONG_TOKEN: token,
        BAKONG_BASE_URL: bakong,
        KHQR_DATA_DIR: mkdtempSync(join(tmpdir(), 'khqr-consumer-ledger-')),
        KHQR_ALLOWED_ORIGINS: 'http://127.0.0.1:*',
      },
      /Local:\s+(http:\/\/\S+)[\s\S]*Ready in/,
    );
    children.push(server.child);
    url = server.match[1] as string;
    output = server.output;
  });

  /** A page's HTML, with what the server said if it is not a 200. */
  async function page(path: string): Promise<string> {
    const response = await fetch(`${url}${path}`);
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(
        `GET ${path}: ${response.status}\n${html.slice(0, 2000)}\nServer: ${output()}`,
      );
    return html;
  }

  async function check(md5: string, origin = url) {
    const response = await fetch(`${url}/api/khqr/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ md5 }),
    });
    return { status: response.status, body: await response.json() };
  }

  /** The QR the checkout page hands its client component (in the RSC payload of the HTML). */
  function qrOfCheckoutPage(html: string): string {
    const qr = html.match(/\\"qr\\":\\"(000201[^"\\]+)\\"/)?.[1];
    if (!qr) throw new Error(`No QR in the page:\n${html.slice(0, 2000)}`);
    return qr;
  }

  test('the proxy starts with the server (instrumentation.ts), before any request', async () => {
    // PGlite makes its database on the first start: seconds, more on a busy machine.
    await expect.poll(output, { timeout: 60_000 }).toMatch(/"ledger open"/);
    expect(output()).not.toMatch(/"checkout created"/);
  });

  test("the checkout page is rendered on the server: the card and its QR as an SVG, for the proxy's checkout of the order", async () => {
    const html = await page('/checkout/order-ssr');
    expect(html).toMatch(/<div class="khqr[^"]*" data-theme="light" data-state="pending">/);
    expect(html).toMatch(
      /<svg[^>]*role="img" aria-label="KHQR code to pay 12\.50 USD to Consumer Shop"[^>]*>.*<path /,
    );
    const md5 = md5Of(qrOfCheckoutPage(html));
    expect(output()).toMatch(
      new RegExp(`"checkout created","md5":"${md5}","checkoutId":"[^"]+","orderId":"order-ssr"`),
    );
    expect(await check(md5)).toEqual({
      status: 200,
      body: { status: 'pending', serverNow: expect.any(Number), expiresAt: expect.any(Number) },
    });
    expect((await check(md5, 'https://elsewhere.example')).status).toBe(403);
  });

  test('the route handler knows every checkout the pages make: one proxy and one ledger per process', async () => {
    // Next runs the route handler's and the pages' copies of lib/khqr.ts in one process: with a
    // proxy each, a checkout made after both opened would be unknown to the route.
    for (const order of ['order-a', 'order-b']) {
      const react = md5Of(qrOfCheckoutPage(await page(`/checkout/${order}`)));
      const qr = (await page(`/element/${order}`)).match(/<khqr-checkout qr="(000201[^"]+)"/)?.[1];
      for (const md5 of [react, md5Of(qr ?? '')])
        expect((await check(md5)).body).toMatchObject({ status: 'pending' });
    }
    expect(output().match(/"ledger open"/g)).toHaveLength(1);
  });

  describe('paying in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    test.each([
      ['the React card (a client component)', 'checkout'],
      ['<khqr-checkout> in JSX (the element defined in a client component)', 'element'],
    ])('%s hydrates, shows the QR and takes a payment', async (_, path) => {
      const order = `order-paid-${path}`;
      const tab = await browser.newPage({ viewport: { width: 800, height: 900 } });
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      tab.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await tab.goto(`${url}/${path}/${order}`);
      let qr: string | null = null;
      await expect
        .poll(
          async () => {
            qr = scanPng(await tab.screenshot());
            return qr ?? '';
          },
          { timeout: 20_000 },
        )
        .toMatch(/^000201.*shop@test/);
      const paid = await fetch(`${sandboxUrl}/_sandbox/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr }),
      });
      expect(paid.status).toBe(200);
      try {
        await tab.waitForSelector('[data-paid="yes"]', { timeout: 20_000 });
      } catch (error) {
        const text = await tab.evaluate(() => document.body.textContent);
        throw new Error(
          `Not paid on screen (${String(error)}).\nPage: ${text}\nServer: ${output()}`,
        );
      }
      await expect
        .poll(output, { timeout: 10_000 })
        .toMatch(new RegExp(`PAID order=${order} amount=1250 USD`));
      expect(errors).toEqual([]);
      await tab.close();
    });
  });
});
