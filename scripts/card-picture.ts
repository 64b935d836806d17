// Draws docs/card.png, the README's picture of the card: the drop-in in Debian's Chromium, one card
// waiting in Khmer (KHR), one in English (USD) paid through the sandbox, one dark (on a dark page) and expired.
// Run with `pnpm card-picture` after a change to the card's look.
import { writeFileSync } from 'node:fs';
import { createKhqrProxy } from '@khqr-checkout/proxy';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import { launchChromium } from '../test-utils/chromium.ts';
import { temporaryDataDir } from '../test-utils/data-dir.ts';
import { serveDropInSite } from '../test-utils/drop-in-site.ts';

const OUT = new URL('../docs/card.png', import.meta.url);
const MERCHANT = 'phsar_khmer@devb';

const sandbox = await startSandbox({ port: 0 });
const proxy = createKhqrProxy({
  database: temporaryDataDir('card-picture'),
  bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
  merchant: { accounts: [MERCHANT], name: 'Phsar Khmer', city: 'Phnom Penh' },
  basePath: '/api/khqr',
  notFoundCacheMs: 0,
  graceMs: 0,
  logger: { info() {}, warn() {}, error: (m, f) => console.error('[proxy]', m, f ?? '') },
});
const cards = await Promise.all([
  proxy.createCheckout({ amount: 48000, currency: 'KHR', ttl: 300 }),
  proxy.createCheckout({ amount: '12.50', currency: 'USD', ttl: 300 }),
  proxy.createCheckout({ amount: 9500, currency: 'KHR', ttl: 2 }),
]);
for (const card of cards) sandbox.see(card.qr);
const [waiting, paid, expired] = cards as [(typeof cards)[0], (typeof cards)[0], (typeof cards)[0]];

const page = `<!doctype html><html><head><meta charset="utf-8"><script src="/khqr-checkout.js"></script>
<style>body{margin:0;background:#f2f3f5}main{display:flex;width:max-content;align-items:stretch}main>div{padding:28px}.dark{background:#16181d}</style>
</head><body><main>
<div><khqr-checkout qr="${waiting.qr}" endpoint="/api/khqr/check" lang="km"></khqr-checkout></div>
<div><khqr-checkout qr="${paid.qr}" endpoint="/api/khqr/check" lang="en"></khqr-checkout></div>
<div class="dark"><khqr-checkout qr="${expired.qr}" endpoint="/api/khqr/check" lang="en" theme="dark"></khqr-checkout></div>
</main></body></html>`;
const site = await serveDropInSite(page, proxy);
const browser = await launchChromium();
try {
  const tab = await browser.newPage({ deviceScaleFactor: 2 });
  await tab.goto(`${site.origin}/`);
  const state = (i: number) => `khqr-checkout >> nth=${i} >> .khqr[data-state]`;
  await tab.locator(state(0)).waitFor();
  sandbox.pay({ md5: paid.md5 });
  await tab
    .locator(`khqr-checkout >> nth=1 >> .khqr[data-state="paid"]`)
    .waitFor({ timeout: 15_000 });
  await tab
    .locator(`khqr-checkout >> nth=2 >> .khqr[data-state="expired"]`)
    .waitFor({ timeout: 15_000 });
  await tab.evaluate(() => document.fonts.ready);
  writeFileSync(OUT, await tab.locator('main').screenshot());
  console.log(`wrote ${OUT.pathname}`);
} finally {
  await browser.close();
  await site.close();
  await proxy.close();
  await sandbox.close();
}
