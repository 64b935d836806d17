// The packed packages as a merchant gets them: a Node server with the proxy (`http` and Express)
// and a Vite + React app in strict TypeScript, type-checked with TypeScript 5.9 and 7, built, and
// paid in Chromium against the packed sandbox: the drop-in on a plain page, and the React app.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { scanPng } from '../../test-utils/card-states.ts';
import { launchChromium } from '../../test-utils/chromium.ts';
import { run, start } from './harness.ts';

const root = inject('consumerRoot');
const server = join(root, 'node-server');
const app = join(root, 'vite-react');
const children: ChildProcess[] = [];
let browser: Browser;
let sandboxUrl = '';
let token = '';

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
});

describe('the published typings', () => {
  test('the Node server type-checks and compiles with TypeScript 5.9 (strict, exactOptionalPropertyTypes, skipLibCheck off)', async () => {
    await run('npx', ['tsc', '--version'], server).then((v) => expect(v).toMatch(/Version 5\.9\./));
    await run('npm', ['run', 'build'], server);
  });
  test('the Node server type-checks with TypeScript 7', async () => {
    await run('node', ['node_modules/typescript7/bin/tsc', '--version'], server).then((v) =>
      expect(v).toMatch(/Version 7\./),
    );
    await run('npm', ['run', 'typecheck7'], server);
  });
  test('the Vite + React app type-checks with TypeScript 5.9 and 7, <khqr-checkout> JSX included', async () => {
    await run('npm', ['run', 'typecheck'], app);
    await run('npm', ['run', 'typecheck7'], app);
  });
  test('a main entry names no optional dependency: the proxy types load without pg or ioredis installed', () => {
    const proxyTypes = join(server, 'node_modules/@khqr-checkout/proxy/dist');
    for (const entry of ['index.d.ts', 'node.d.ts']) {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(join(proxyTypes, file), 'utf8');
        expect(text, file).not.toMatch(/from ['"](pg|ioredis)['"]|import\(['"](pg|ioredis)['"]\)/);
        for (const [, next] of text.matchAll(/from '\.\/([\w-]+)\.(?:js|ts)'/g))
          visit(`${next}.d.ts`);
      };
      visit(entry);
      expect(seen.size).toBeGreaterThan(1);
    }
    expect(() => readFileSync(join(server, 'node_modules/pg/package.json'))).toThrow();
  });
});

describe('paying in Chromium', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build'], server);
    await run('npm', ['run', 'build'], app);
    const sandbox = await start(
      'node',
      ['dist/sandbox.js'],
      server,
      {},
      /sandbox (\S+) token (\S+)/,
    );
    children.push(sandbox.child);
    [, sandboxUrl = '', token = ''] = sandbox.match;
  });

  /** Starts one of the servers on a free port with its own ledger; its URL and its output. */
  async function shop(entry: string, env: NodeJS.ProcessEnv = {}) {
    const started = await start(
      'node',
      [entry],
      server,
      {
        BAKONG_TOKEN: token,
        BAKONG_BASE_URL: sandboxUrl,
        KHQR_DATA_DIR: mkdtempSync(join(tmpdir(), 'khqr-consumer-ledger-')),
        ...env,
      },
      /listening on (\S+)/,
    );
    children.push(started.child);
    return { url: started.match[1] as string, output: started.output };
  }

  /** The QR on screen, read from a screenshot of the page as a phone camera would. */
  async function scanQr(page: Page): Promise<string> {
    let qr: string | null = null;
    await expect
      .poll(
        async () => {
          qr = scanPng(await page.screenshot());
          return qr;
        },
        { timeout: 20_000 },
      )
      .toMatch(/^000201/);
    return qr as unknown as string;
  }

  /** Waits for the page's own success handler to mark `selector` paid; says what it saw if not. */
  async function paid(page: Page, selector: string, output: () => string) {
    try {
      await page.waitForSelector(`${selector}[data-paid="yes"]`, { timeout: 20_000 });
    } catch (error) {
      const text = await page.evaluate(() => document.body.innerText);
      throw new Error(`Not paid on screen (${String(error)}).\nPage: ${text}\nServer: ${output()}`);
    }
  }

  async function pay(qr: string) {
    const response = await fetch(`${sandboxUrl}/_sandbox/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qr }),
    });
    expect(response.status).toBe(200);
  }

  test('the plain page with the drop-in <script> (node:http server) takes a payment', async () => {
    const { url, output } = await shop('dist/http.js');
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/pay/order-plain`);
    const qr = await scanQr(page);
    expect(qr).toContain('shop@test');
    await pay(qr);
    await paid(page, 'body', output);
    const card = () =>
      page.locator('khqr-checkout').evaluate((el) => el.shadowRoot?.textContent ?? '');
    await expect.poll(card).toContain('Paid');
    await expect
      .poll(output, { timeout: 10_000 })
      .toMatch(/PAID order=order-plain amount=1250 USD/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the Vite + React app (Express server) takes a payment for its order', async () => {
    const { url, output } = await shop('dist/express.js', { APP_DIST: join(app, 'dist') });
    for (const card of ['react', 'element']) {
      const order = `order-${card}`;
      const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${url}/?order=${order}&card=${card}`);
      const qr = await scanQr(page);
      expect(qr).toContain('shop@test');
      await pay(qr);
      await paid(page, 'main', output);
      const text = () =>
        card === 'react'
          ? page.locator('main').innerText()
          : page
              .locator('khqr-checkout')
              .first()
              .evaluate((el) => el.shadowRoot?.textContent ?? '');
      await expect.poll(text).toContain('Paid');
      await expect
        .poll(output, { timeout: 10_000 })
        .toMatch(new RegExp(`PAID order=${order} amount=1250 USD`));
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
