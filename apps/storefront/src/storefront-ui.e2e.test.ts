// The shop's screens in Debian's Chromium (Playwright): the checkout's QR whole on screen and
// scannable from a screenshot at desktop and phone sizes in both themes, the card's language and
// theme switches, and orders that name their products.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPng } from '../../../test-utils/card-states.ts';
import { launchChromium } from '../../../test-utils/chromium.ts';
import { startStorefront } from '../server/storefront.ts';
import type { Order } from './api.ts';

const shots = join(tmpdir(), 'khqr-storefront-screenshots');

let shop: Awaited<ReturnType<typeof startStorefront>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  [shop, browser] = await Promise.all([
    startStorefront({ port: 0, sandboxPort: 0, dataDir: null, env: {} }),
    launchChromium(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

/** The customer these tests are: the shop shows an order only to the cookie that created it. */
const CUSTOMER = { name: 'phsar_customer', value: 'ui-test-customer'.padEnd(43, 'x') };

/** An order made through the shop's API, as the cart's "Pay with KHQR" makes it. */
async function order(items: Array<{ id: string; qty: number }>, currency = 'KHR'): Promise<Order> {
  const response = await fetch(`${shop.url}/api/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `${CUSTOMER.name}=${CUSTOMER.value}`,
    },
    body: JSON.stringify({ items, currency }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Order;
}

/** A fresh browser context whose stored choices (the header's switches) are `stored`. */
async function contextWith(options: BrowserContextOptions, stored: Record<string, string> = {}) {
  const context = await browser.newContext(options);
  await context.addCookies([{ ...CUSTOMER, url: shop.url }]);
  await context.addInitScript((entries) => {
    for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
  }, stored);
  return context;
}

/** Console errors and uncaught exceptions of `page`, collected from now on. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** The product cards' boxes, their pictures' and their buttons' (relative to each card). */
async function productGrid(page: Page) {
  await page.getByRole('article').first().waitFor();
  return page.getByRole('article').evaluateAll((cards) =>
    cards.map((card) => {
      const box = card.getBoundingClientRect();
      const picture = (card.querySelector('.picture') as Element).getBoundingClientRect();
      const button = (card.querySelector('button') as Element).getBoundingClientRect();
      return {
        top: Math.round(box.top),
        right: box.right,
        height: Math.round(box.height),
        picture: `${Math.round(picture.width)}×${Math.round(picture.height)}`,
        // The button's distance from the card's bottom edge.
        buttonFromBottom: Math.round(box.bottom - button.bottom),
      };
    }),
  );
}

/** Every card as tall as the others, pictures alike, buttons at the same place, none cut off. */
function expectAligned(cards: Awaited<ReturnType<typeof productGrid>>, width: number) {
  expect(cards.length).toBe(5);
  expect(new Set(cards.map((c) => c.height)).size).toBe(1);
  expect(new Set(cards.map((c) => c.picture)).size).toBe(1);
  expect(new Set(cards.map((c) => c.buttonFromBottom)).size).toBe(1);
  for (const card of cards) expect(card.right).toBeLessThanOrEqual(width);
}

const SCREENS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  {
    name: 'phone',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  },
] as const;

describe('the shop on screen', () => {
  it('shows the whole checkout QR without scrolling, scannable from a screenshot, at 1280×800 and on a 390×844 phone, light and dark', async () => {
    const o = await order([
      { id: 'kampot-pepper', qty: 2 },
      { id: 'krama', qty: 1 },
    ]);
    const qr = o.checkout?.qr as string;
    expect(qr).toMatch(/^000201/);
    // The four views side by side, each in its own browser context.
    const views = SCREENS.flatMap(({ name, ...screen }) =>
      (['light', 'dark'] as const).map((theme) => ({ name, screen, theme })),
    );
    await Promise.all(
      views.map(async ({ name, screen, theme }) => {
        const context = await contextWith(screen, { 'phsar-khmer.theme': theme });
        const page = await context.newPage();
        const problems = problemsOf(page);
        await page.goto(`${shop.url}/checkout/${o.id}`);
        const code = page.getByRole('img', { name: /KHQR/ });
        await code.waitFor();
        await page.getByText('Waiting for payment').first().waitFor();
        await page.evaluate(() => document.fonts.ready);
        expect(await page.locator('.khqr').getAttribute('data-theme')).toBe(theme);
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);

        const { width, height } = screen.viewport;
        const box = await code.boundingBox();
        expect(box, `${name} ${theme}`).not.toBeNull();
        const b = box as NonNullable<typeof box>;
        expect(b.width).toBeGreaterThan(150);
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.y).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width).toBeLessThanOrEqual(width);
        expect(b.y + b.height).toBeLessThanOrEqual(height);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          width,
        );
        expect(await page.evaluate(() => innerWidth)).toBe(width);
        if (name === 'phone') {
          // One column: the card in the middle of the screen.
          const card = (await page.locator('.khqr').boundingBox()) as NonNullable<typeof box>;
          expect(Math.abs(card.x + card.width / 2 - width / 2)).toBeLessThanOrEqual(1);
        }

        // The whole viewport, as a customer's phone camera would see the screen.
        const png = await page.screenshot();
        writeFileSync(join(shots, `ui-checkout-${name}-${theme}.png`), png);
        expect(scanPng(png), `${name} ${theme}`).toBe(qr);
        expect(problems).toEqual([]);
        await context.close();
      }),
    );
  }, 60_000);

  it('the products line up in one row on a desktop; the header switches change the card language and theme, darken the page, and are kept', async () => {
    const o = await order([{ id: 'iced-coffee', qty: 1 }]);
    const context = await contextWith({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = problemsOf(page);
    // On a desktop the five products fill one aligned row.
    await page.goto(shop.url);
    const grid = await productGrid(page);
    expectAligned(grid, 1280);
    expect(new Set(grid.map((c) => c.top)).size).toBe(1);
    await page.goto(`${shop.url}/checkout/${o.id}`);
    const card = page.locator('.khqr');
    // English and light by default, for this English shop (the system colour scheme is light).
    await card.getByText('Waiting for payment').waitFor();
    expect(await card.getAttribute('data-theme')).toBe('light');
    const language = page.getByRole('group', { name: 'Language' });
    const theme = page.getByRole('group', { name: 'Theme' });
    expect(
      await language.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'),
    ).toBe('true');
    // The brand is a drawn mark and words: nothing that needs an emoji font.
    expect((await page.locator('header .brand').textContent())?.trim()).toBe('Phsar Khmer');
    expect(await page.locator('header .brand svg').count()).toBe(1);

    await language.getByRole('button', { name: 'ខ្មែរ' }).click();
    await card.getByText('កំពុងរង់ចាំការទូទាត់').waitFor();
    expect(await card.getByText('Waiting for payment').count()).toBe(0);
    await theme.getByRole('button', { name: 'Dark' }).click();
    await expect.poll(() => card.getAttribute('data-theme')).toBe('dark');
    const pageColours = () =>
      page.evaluate(() => {
        const luminance = (css: string) => {
          const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number) as [
            number,
            number,
            number,
          ];
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        };
        const root = getComputedStyle(document.documentElement);
        const panel = getComputedStyle(document.querySelector('.panel') as Element);
        return {
          background: luminance(root.backgroundColor),
          text: luminance(root.color),
          panel: luminance(panel.backgroundColor),
        };
      });
    const dark = await pageColours();
    expect(dark.background).toBeLessThan(0.15);
    expect(dark.panel).toBeLessThan(0.2);
    expect(dark.text).toBeGreaterThan(0.8);
    await page.screenshot({ path: join(shots, 'ui-checkout-khmer-dark.png') });

    // Kept for the next visit.
    await page.reload();
    await card.getByText('កំពុងរង់ចាំការទូទាត់').waitFor();
    expect(await card.getAttribute('data-theme')).toBe('dark');
    expect(await theme.getByRole('button', { name: 'Dark' }).getAttribute('aria-pressed')).toBe(
      'true',
    );

    await language.getByRole('button', { name: 'English' }).click();
    await theme.getByRole('button', { name: 'Light' }).click();
    await card.getByText('Waiting for payment').waitFor();
    await expect.poll(() => card.getAttribute('data-theme')).toBe('light');
    const light = await pageColours();
    expect(light.background).toBeGreaterThan(0.8);
    expect(light.text).toBeLessThan(0.2);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('on a 360 px phone the products line up two a row, orders name their products, and the demo controls sit in a marked panel', async () => {
    const o = await order([
      { id: 'kampot-pepper', qty: 2 },
      { id: 'silk-wallet', qty: 1 },
    ]);
    const context = await contextWith({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    const problems = problemsOf(page);
    // On a small phone: two products a row, all alike, nothing wider than the screen.
    await page.goto(shop.url);
    const grid = await productGrid(page);
    expectAligned(grid, 360);
    expect(new Set(grid.map((c) => c.top)).size).toBe(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await page.goto(`${shop.url}/checkout/${o.id}`);
    const demo = page.getByRole('complementary', {
      name: 'Demo controls (not part of a real shop)',
    });
    await demo.getByRole('link', { name: 'sandbox bank app' }).waitFor();
    await demo.getByRole('link', { name: 'Make the QR in the browser instead' }).waitFor();
    const items = page.getByRole('list', { name: 'Items' });
    await items.getByText('2 × Kampot pepper, 100 g').waitFor();
    await items.getByText('1 × Silk wallet').waitFor();
    // At 360×740 too the QR is whole on screen and nothing is wider than the screen.
    const box = (await page.getByRole('img', { name: /KHQR/ }).boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(box.y + box.height).toBeLessThanOrEqual(740);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );

    await page.goto(`${shop.url}/orders/${o.id}`);
    await page.getByRole('list', { name: 'Items' }).getByText('2 × Kampot pepper, 100 g').waitFor();
    await page.getByRole('list', { name: 'Items' }).getByText('1 × Silk wallet').waitFor();
    expect(await page.getByText('kampot-pepper').count()).toBe(0);

    await page.goto(`${shop.url}/orders`);
    const row = page.getByRole('row').filter({ hasText: o.id });
    await row.getByText('2 × Kampot pepper, 100 g; 1 × Silk wallet').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await page.screenshot({ path: join(shots, 'ui-orders-phone.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
