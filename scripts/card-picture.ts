// Draws the card's pictures in Debian's Chromium, from source (test-utils/card-states.ts):
// - docs/card.png, the README's picture: the drop-in's <khqr-checkout>, one card waiting in Khmer
//   (KHR), one paid in English (USD) with its receipt, one dark (on a dark page) and expired;
// - docs/card-states.png, the contact sheet: every state × skin (element, React) × theme × screen
//   (desktop 1×, phone 3×), each captioned.
// Run with `pnpm card-picture` after a change to the card's look.
import { writeFileSync } from 'node:fs';
import {
  COVERED,
  cardSelector,
  contactSheet,
  contextOptions,
  SCANNABLE,
  shootMatrix,
  startCardStates,
  waitForCards,
} from '../test-utils/card-states.ts';
import { launchChromium } from '../test-utils/chromium.ts';

const CARD = new URL('../docs/card.png', import.meta.url);
const SHEET = new URL('../docs/card-states.png', import.meta.url);

const server = await startCardStates();
const browser = await launchChromium();
try {
  // The README's three cards, side by side, at 2×.
  const context = await browser.newContext({ ...contextOptions('desktop'), deviceScaleFactor: 2 });
  const tab = await context.newPage();
  const { url, cells } = server.page(
    [
      { state: 'pending', card: 'element', theme: 'light', lang: 'km' },
      { state: 'paid', card: 'element', theme: 'light', lang: 'en' },
      {
        state: 'expired',
        card: 'element',
        theme: 'dark',
        lang: 'en',
        amount: 9500,
        currency: 'KHR',
      },
    ],
    { row: true, padding: 28 },
  );
  await tab.goto(url);
  await waitForCards(tab);
  for (const cell of cells) await tab.locator(cardSelector(cell)).waitFor();
  writeFileSync(CARD, await tab.locator('main').screenshot());
  await context.close();
  console.log(`wrote ${CARD.pathname}`);

  // The contact sheet, with a word on anything the test would refuse.
  const { shots, problems } = await shootMatrix(browser, server);
  writeFileSync(SHEET, await contactSheet(browser, server, shots));
  console.log(`wrote ${SHEET.pathname} (${shots.length} cards)`);
  for (const shot of shots) {
    const { cell } = shot;
    const where = `${cell.state} ${cell.card} ${cell.theme} ${shot.scale}`;
    if (SCANNABLE.includes(cell.state) && shot.scanned !== cell.qr)
      console.warn(`${where}: the QR does not scan back (${shot.scanned})`);
    if (COVERED.includes(cell.state) && shot.scanned !== null)
      console.warn(`${where}: a covered QR still scans`);
    for (const t of shot.texts) if (!t.shown) console.warn(`${where}: "${t.text}" not shown`);
    if (shot.clipped.length) console.warn(`${where}: text cut short: ${shot.clipped.join(' | ')}`);
  }
  for (const problem of problems) console.warn(problem);
} finally {
  await browser.close();
  await server.close();
}
