// The whole flow in Debian's Chromium (Playwright): shop → order → KHQR card → the sandbox bank app
// pays or fails it → the checkout page and the order page (the server's truth) agree.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test-utils/chromium.ts';
import { startStorefront } from '../server/storefront.ts';

let shop: Awaited<ReturnType<typeof startStorefront>>;
let browser: Browser;
let dataDir: string;
const shots = join(tmpdir(), 'khqr-storefront-screenshots');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'khqr-shop-'));
  mkdirSync(shots, { recursive: true });
  shop = await startStorefront({
    port: 0,
    sandboxPort: 0,
    dataDir,
    graceMs: 2000,
    env: {},
  });
  browser = await launchChromium();
  console.log(`storefront screenshots: ${shots}`);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Console errors and uncaught exceptions of `page`, collected from now on. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

async function buy(page: Page, product = 'Cotton krama scarf'): Promise<string> {
  await page.goto(shop.url);
  await page
    .getByRole('article')
    .filter({ hasText: product })
    .getByRole('button', { name: /Add to cart/ })
    .click();
  await page.getByRole('button', { name: 'Pay with KHQR' }).click();
  await page.waitForURL(/\/checkout\/KH-/);
  await page.getByRole('img', { name: /KHQR/ }).waitFor();
  return (page.url().split('/checkout/')[1] as string).split('?')[0] as string;
}

/** Pays or fails in the sandbox bank app: the order's own QR when given, else the newest one. */
async function bank(action: 'Pay' | 'Fail', orderId?: string, knownMd5?: string) {
  const md5 =
    knownMd5 ??
    (orderId === undefined ? undefined : (await shop.orders.get(orderId))?.checkout?.md5);
  if (orderId !== undefined && !md5) throw new Error(`order ${orderId} has no checkout`);
  const tab = await browser.newPage();
  await tab.goto(shop.bankAppUrl as string);
  const card = md5
    ? tab.locator(`li.qr[data-md5="${md5}"]`)
    : tab.locator('li.qr').filter({ hasText: 'Phsar Khmer' }).first();
  await card.getByRole('button', { name: new RegExp(`^${action}`) }).click();
  await tab
    .getByRole('status')
    .filter({ hasText: action === 'Pay' ? /Paid/ : /failed/ })
    .waitFor();
  await tab.close();
}

describe('the demo shop, end to end', () => {
  it('buy → QR card → pay in the sandbox bank app → checkout shows success → order page shows paid', async () => {
    const page = await browser.newPage();
    const problems = problemsOf(page);
    const id = await buy(page);
    await page.screenshot({ path: join(shots, '1-checkout-pending.png') });
    // The card speaks English in this English shop unless the customer picks Khmer.
    await page.getByText('Waiting for payment').first().waitFor();
    await bank('Pay', id);
    await page
      .getByRole('status')
      .filter({ hasText: 'Thank you! Payment received.' })
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, '2-checkout-paid.png') });
    await page.getByRole('link', { name: 'See your order' }).click();
    await expect
      .poll(() => page.getByTestId('order-status').textContent(), { timeout: 15_000 })
      .toBe('Paid');
    expect((await shop.orders.get(id))?.status).toBe('paid');
    // Back on the checkout page later (a reload after paying): it says the order is paid.
    await page.goto(`${shop.url}/checkout/${id}`);
    await page.getByRole('status').filter({ hasText: 'This order is paid.' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // Nothing invites paying again: no "scan", no demo controls to pay with.
    expect(await page.getByText('Scan the KHQR').count()).toBe(0);
    expect(await page.getByText('Demo controls').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the checkout page keeps checking on its own: a payment made while nothing else happens in the browser shows', async () => {
    // No second tab and no focus change: only the card's own schedule can notice this payment.
    const page = await browser.newPage();
    const checks: number[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/khqr/check')) checks.push(Date.now());
    });
    const id = await buy(page, 'Kampot pepper, 100 g');
    await page.waitForTimeout(6000);
    // About every 2 s (± 20 %) after the first check at 1 s.
    expect(checks.length).toBeGreaterThanOrEqual(3);
    shop.sandbox?.pay({ md5: (await shop.orders.get(id))?.checkout?.md5 as string });
    await page
      .getByRole('status')
      .filter({ hasText: 'Thank you! Payment received.' })
      .waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('a failed payment shows failed and says what to do, and the order stays unpaid', async () => {
    // On a phone, where the shop's message must show without scrolling, under the card.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const id = await buy(page, 'Palm sugar, 500 g');
    const qrBefore = (await shop.orders.get(id))?.checkout?.qr;
    await bank('Fail', id);
    await page.getByText('Payment failed').first().waitFor({ timeout: 30_000 });
    const said = page.getByRole('alert').filter({ hasText: 'The payment did not go through.' });
    await said.waitFor();
    expect(await said.textContent()).toContain('No money was taken');
    expect(await said.textContent()).toContain('Get a new QR');
    const box = (await said.boundingBox()) as { y: number; height: number };
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: join(shots, '3-checkout-failed.png') });
    expect((await shop.orders.get(id))?.status).toBe('awaiting-payment');
    // A new QR: the message about the failed one goes.
    await page.getByRole('button', { name: 'New QR' }).click();
    await page.getByText('Waiting for payment').first().waitFor({ timeout: 15_000 });
    expect(await said.count()).toBe(0);
    expect((await shop.orders.get(id))?.checkout?.qr).not.toBe(qrBefore);
    await page.close();
  });

  it('a reload in the middle keeps the same checkout, then completes', async () => {
    const page = await browser.newPage();
    const id = await buy(page, 'Silk wallet');
    const qrBefore = (await shop.orders.get(id))?.checkout?.qr;
    await page.reload();
    await page.getByRole('img', { name: /KHQR/ }).waitFor();
    expect((await shop.orders.get(id))?.checkout?.qr).toBe(qrBefore);
    await bank('Pay', id);
    await page.getByRole('status').filter({ hasText: 'Thank you!' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('a Bakong outage says the payment is being confirmed, then shows the true result', async () => {
    const page = await browser.newPage();
    const id = await buy(page, 'Khmer iced coffee');
    shop.sandbox?.injectFault({ endpoint: '*', kind: 'server-error', share: 1 });
    try {
      // The proxy answers "pending, delayed": the card says the order is confirmed even if the
      // page is closed, and the server settles once Bakong answers.
      await page.getByText('Confirming your payment', { exact: false }).first().waitFor({
        timeout: 20_000,
      });
      await page.screenshot({ path: join(shots, '4-checkout-delayed.png') });
      await bank('Pay', id);
    } finally {
      shop.sandbox?.clearFaults();
    }
    await page.getByRole('status').filter({ hasText: 'Thank you!' }).waitFor({ timeout: 30_000 });
    await page.close();
  });

  it('the plain HTML page with only the script tag completes a payment', async () => {
    const page = await browser.newPage();
    // The md5 the page checks: the bank app lists every QR the shop showed, most recently
    // checked first, and a list call checks them all.
    const checked = page.waitForRequest((r) => r.url().endsWith('/api/khqr/check'));
    await page.goto(`${shop.url}/plain.html`);
    await page.locator('khqr-checkout svg[role="img"]').waitFor();
    const { md5 } = JSON.parse((await checked).postData() ?? '{}') as { md5: string };
    await page.waitForTimeout(1500);
    await bank('Pay', undefined, md5);
    await page.getByText('Thank you! Your donation was received.').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, '5-plain-page-paid.png') });
    await page.close();
  });

  it('an unpaid QR expires: the card says so and offers a new one; the order stays unpaid', async () => {
    const quick = await startStorefront({
      port: 0,
      sandboxPort: 0,
      dataDir: null,
      graceMs: 500,
      checkoutTtl: 3,
      env: {},
    });
    try {
      const page = await browser.newPage();
      // A second shop in the same process: its pages work as cleanly as the first one's.
      const problems = problemsOf(page);
      await page.goto(quick.url);
      await page
        .getByRole('article')
        .first()
        .getByRole('button', { name: /Add to cart/ })
        .click();
      await page.getByRole('button', { name: 'Pay with KHQR' }).click();
      await page.waitForURL(/\/checkout\/KH-/);
      await page.getByText('This QR has expired').first().waitFor({ timeout: 60_000 });
      const said = page
        .getByRole('alert')
        .filter({ hasText: 'This QR expired before a payment arrived.' });
      await said.waitFor();
      expect(await said.textContent()).toContain('Get a new QR');
      await page.screenshot({ path: join(shots, '7-checkout-expired.png') });
      await page.getByRole('button', { name: 'New QR' }).click();
      await page.getByText('Waiting for payment').first().waitFor({ timeout: 15_000 });
      expect(await said.count()).toBe(0);
      expect((await quick.orders.list())[0]?.status).toBe('awaiting-payment');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await quick.close();
    }
  }, 90_000);

  it('on a phone, in Khmer: download and open-in-app work with the sandbox', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      acceptDownloads: true,
    });
    // The customer chose Khmer on an earlier visit (the header's language switch keeps it).
    await context.addInitScript(() => localStorage.setItem('phsar-khmer.lang', 'km'));
    const page = await context.newPage();
    await buy(page, 'Kampot pepper, 100 g');
    const link = page.getByRole('link', { name: 'បើកក្នុងកម្មវិធីធនាគារ' });
    await link.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, '6-phone-checkout.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'ទាញយក QR' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^khqr-.*\.png$/);
    await link.click();
    await page.waitForURL(/\/bank\//);
    await page.locator('li.highlight').getByRole('button', { name: /^Pay/ }).click();
    await page.getByRole('status').filter({ hasText: /Paid/ }).waitFor();
    await context.close();
  });
});
