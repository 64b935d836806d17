// The bank-app page in real Chromium (Playwright driving Debian's chromium).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@khqr-checkout/sandbox';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test-utils/chromium.ts';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  sandbox = await start();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  sandbox.reset();
  problems.length = 0;
  page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
});

const md5Check = async (md5: string) =>
  (await call(sandbox, 'check_transaction_by_md5', { md5 })).json;

describe('bank-app page', () => {
  it('lists a QR that was checked, and Pay makes the next md5 check answer success', async () => {
    const { qr, md5 } = dynamicQr(sandbox, { merchantName: 'Sok Coffee', amount: '2.50' });
    await call(sandbox, '/_sandbox/qrs', { qr });
    expect(await md5Check(md5)).toMatchObject({ errorCode: 1 });
    await page.goto(sandbox.bankAppUrl);
    const card = page.locator(`li[data-md5="${md5}"]`);
    await card.getByText('checked 1×', { exact: false }).waitFor();
    expect(await card.locator('h3').textContent()).toBe('Sok Coffee');
    expect(await card.locator('.amount').textContent()).toBe('$2.50');
    await card.getByRole('button', { name: /^Pay Sok Coffee/ }).click();
    await page.getByRole('status').getByText('Paid $2.50 to Sok Coffee.').waitFor();
    expect(await md5Check(md5)).toMatchObject({
      responseCode: 0,
      data: { amount: 2.5, currency: 'USD' },
    });
    await card.locator('.badge.paid').waitFor();
    expect(await card.getByRole('button', { name: /^Pay/ }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(tmpdir(), 'sandbox-bank-app.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('updates the list in place: checks move nothing and keep the buttons; bill numbers show', async () => {
    const older = dynamicQr(sandbox, {
      merchantName: 'Old Shop',
      billNumber: 'KH-OLD-1',
      storeLabel: 'Kampot branch',
      purpose: 'Pepper order',
    });
    await call(sandbox, '/_sandbox/qrs', { qr: older.qr });
    sandbox.clock.advance(1_000);
    const newer = dynamicQr(sandbox, { merchantName: 'New Shop', billNumber: 'KH-NEW-2' });
    await call(sandbox, '/_sandbox/qrs', { qr: newer.qr });
    await page.goto(sandbox.bankAppUrl);
    const names = () => page.locator('li.qr h3').allTextContents();
    await page.locator(`li[data-md5="${older.md5}"]`).waitFor();
    expect(await names()).toEqual(['New Shop', 'Old Shop']);
    // The bill number (in a shop, the order number), the store and the purpose, each labelled.
    const facts = (md5: string) =>
      page
        .locator(`li[data-md5="${md5}"] .facts`)
        .evaluate((dl) =>
          [...dl.querySelectorAll('dt')].map((dt) => [
            dt.textContent,
            dt.nextElementSibling?.textContent,
          ]),
        );
    await page.locator(`li[data-md5="${older.md5}"] .facts`).waitFor();
    expect(await facts(older.md5)).toEqual([
      ['Bill / order no.', 'KH-OLD-1'],
      ['Store', 'Kampot branch'],
      ['Purpose', 'Pepper order'],
    ]);
    expect(await facts(newer.md5)).toEqual([['Bill / order no.', 'KH-NEW-2']]);
    // Mark the live Pay button, then let a proxy check the older QR a few times.
    await page.evaluate((md5) => {
      const button = document.querySelector(`li[data-md5="${md5}"] button[data-action="pay"]`);
      (button as HTMLElement & { mark?: boolean }).mark = true;
    }, older.md5);
    for (let i = 0; i < 3; i++) await md5Check(older.md5);
    await page
      .locator(`li[data-md5="${older.md5}"]`)
      .getByText('checked 3×', { exact: false })
      .waitFor();
    expect(await names()).toEqual(['New Shop', 'Old Shop']);
    const same = await page.evaluate(
      (md5) =>
        (
          document.querySelector(
            `li[data-md5="${md5}"] button[data-action="pay"]`,
          ) as HTMLElement & {
            mark?: boolean;
          }
        ).mark === true,
      older.md5,
    );
    expect(same).toBe(true);
    expect(problems).toEqual([]);
  });

  it('adds a pasted QR, fails it, and shows hostile text as text', async () => {
    const { qr, md5 } = dynamicQr(sandbox, {
      merchantName: '<img src=x onerror=1>',
      currency: 'KHR',
      amount: 40000,
    });
    await page.goto(sandbox.bankAppUrl);
    await page.getByLabel('Paste the QR text').fill(qr);
    await page.getByRole('button', { name: 'Add QR' }).click();
    const card = page.locator(`li[data-md5="${md5}"]`);
    await card.waitFor();
    expect(await card.locator('h3').textContent()).toBe('<img src=x onerror=1>');
    expect(await card.locator('img').count()).toBe(0);
    expect(await card.locator('.amount').textContent()).toBe('40,000 ៛');
    await card.getByRole('button', { name: /^Fail/ }).click();
    await card.locator('.badge.failed').waitFor();
    expect(await md5Check(md5)).toMatchObject({ errorCode: 3 });
    expect(problems).toEqual([]);
  });

  it('decodes an uploaded picture of a QR', async () => {
    const { qr, md5 } = dynamicQr(sandbox, { merchantName: 'Photo Shop' });
    const dir = mkdtempSync(join(tmpdir(), 'khqr-upload-'));
    try {
      const file = join(dir, 'qr.png');
      writeFileSync(
        file,
        await QRCode.toBuffer(qr, { errorCorrectionLevel: 'M', margin: 4, scale: 6 }),
      );
      await page.goto(sandbox.bankAppUrl);
      await page.setInputFiles('#qr-image', file);
      await page.locator(`li[data-md5="${md5}"]`).getByText('Photo Shop').waitFor();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  });

  it('Clear list empties the list, keeps payments and failures, and lists QRs seen afterwards', async () => {
    const paid = dynamicQr(sandbox, { merchantName: 'Paid Shop', billNumber: 'KH-PAID-1' });
    const failed = dynamicQr(sandbox, { merchantName: 'Failed Shop', amount: '3.00' });
    const open = dynamicQr(sandbox, { merchantName: 'Open Shop', amount: '4.00' });
    sandbox.pay({ qr: paid.qr });
    sandbox.fail({ qr: failed.qr });
    sandbox.see(open.qr);
    await page.goto(sandbox.bankAppUrl);
    const items = page.locator('li.qr');
    await page.locator(`li[data-md5="${open.md5}"]`).waitFor();
    expect(await items.count()).toBe(3);
    await page.getByRole('button', { name: 'Clear list' }).click();
    await page
      .getByRole('status')
      .getByText('Cleared 3 QRs from the list.', { exact: false })
      .waitFor();
    await expect.poll(() => items.count()).toBe(0);
    expect(await page.locator('#empty').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Clear list' }).isDisabled()).toBe(true);
    // Bakong's answers are the same: paid is paid, failed is failed.
    expect(await md5Check(paid.md5)).toMatchObject({ responseCode: 0, data: { amount: 2.5 } });
    expect(await md5Check(failed.md5)).toMatchObject({ errorCode: 3 });
    expect(await md5Check(open.md5)).toMatchObject({ errorCode: 1 });
    // A QR seen after clearing is listed; the checks above brought nothing back.
    const later = dynamicQr(sandbox, { merchantName: 'Later Shop', billNumber: 'KH-LATER-9' });
    await call(sandbox, '/_sandbox/qrs', { qr: later.qr });
    await page.locator(`li[data-md5="${later.md5}"]`).waitFor();
    expect(await page.locator('li.qr h3').allTextContents()).toEqual(['Later Shop']);
    // One cleared and scanned again comes back, and can still be paid.
    await page.getByLabel('Paste the QR text').fill(open.qr);
    await page.getByRole('button', { name: 'Add QR' }).click();
    const back = page.locator(`li[data-md5="${open.md5}"]`);
    await back.getByRole('button', { name: /^Pay Open Shop/ }).click();
    await back.locator('.badge.paid').waitFor();
    expect(await md5Check(open.md5)).toMatchObject({ responseCode: 0, data: { amount: 4 } });
    expect(problems).toEqual([]);
  });

  it('fits a phone screen and explains an md5-only entry', async () => {
    await call(sandbox, 'check_transaction_by_md5', { md5: 'f'.repeat(32) });
    // The longest fields a KHQR allows (25 characters each) wrap instead of widening the page.
    const long = dynamicQr(sandbox, {
      merchantName: 'Phsar Khmer Kampot Market',
      billNumber: 'KH-MX0290YT-N2KJ-LONGBILL',
      storeLabel: 'Kampot riverside branch 2',
      purpose: 'Pepper palm sugar & krama',
    });
    sandbox.see(long.qr);
    await page.goto(sandbox.bankAppUrl);
    await page.getByText('Scan or paste the QR to pay it.', { exact: false }).waitFor();
    await page
      .locator(`li[data-md5="${long.md5}"] .facts`)
      .getByText('Kampot riverside branch 2')
      .waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });

  it('opens on the QR a deep link points to', async () => {
    const { qr, md5 } = dynamicQr(sandbox, { merchantName: 'Linked' });
    const link = (await call(sandbox, 'generate_deeplink_by_qr', { qr }, { token: null })).json
      ?.data as { shortLink: string };
    await page.goto(link.shortLink);
    await page.locator(`li.highlight[data-md5="${md5}"]`).waitFor();
  });
});
