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
    const older = dynamicQr(sandbox, { merchantName: 'Old Shop', billNumber: 'KH-OLD-1' });
    await call(sandbox, '/_sandbox/qrs', { qr: older.qr });
    sandbox.clock.advance(1_000);
    const newer = dynamicQr(sandbox, { merchantName: 'New Shop', billNumber: 'KH-NEW-2' });
    await call(sandbox, '/_sandbox/qrs', { qr: newer.qr });
    await page.goto(sandbox.bankAppUrl);
    const names = () => page.locator('li.qr h3').allTextContents();
    await page.locator(`li[data-md5="${older.md5}"]`).waitFor();
    expect(await names()).toEqual(['New Shop', 'Old Shop']);
    await page.locator(`li[data-md5="${older.md5}"] .meta`).getByText('bill KH-OLD-1').waitFor();
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

  it('fits a phone screen and explains an md5-only entry', async () => {
    await call(sandbox, 'check_transaction_by_md5', { md5: 'f'.repeat(32) });
    await page.goto(sandbox.bankAppUrl);
    await page.getByText('Scan or paste the QR to pay it.', { exact: false }).waitFor();
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
