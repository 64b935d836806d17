// Every state of the KHQR card, in both skins (<khqr-checkout> from the drop-in bundle, and
// <KhqrCheckout> from an esbuild bundle of the React package's source), served by a tiny local
// server whose check endpoint answers what each state needs. Shared by the card-states test
// (packages/element/src/card-states.e2e.test.ts) and `pnpm card-picture` (scripts/card-picture.ts).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateKhqr, type KhqrCurrency, verifyKhqr } from '@khqr-checkout/khqr';
import { formatMoney, stringsFor } from '@khqr-checkout/khqr/card';
import type { PollPolicy } from '@khqr-checkout/khqr/session';
import { build } from 'esbuild';
import jsQR from 'jsqr';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildDropIn } from '../packages/element/drop-in.build.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The card's states, in the order of the contact sheet's rows. */
export const CARD_STATES = [
  'pending',
  'reconnecting',
  'delayed',
  'grace',
  'paid',
  'failed',
  'expired',
  'refused',
  'invalid',
] as const;
export type CardState = (typeof CARD_STATES)[number];
/** States whose QR can still be paid: it must scan back to the QR the card holds. */
export const SCANNABLE: readonly CardState[] = ['pending', 'reconnecting', 'delayed'];
/** States whose QR is covered (faded, overlaid): no QR may be found in the picture. */
export const COVERED: readonly CardState[] = ['grace', 'paid', 'failed', 'expired', 'refused'];

export type CardKind = 'element' | 'react';
export type CardTheme = 'light' | 'dark';
export type CardLang = 'km' | 'en';

/** The two screens: a desktop at 1× and a phone at 3×. */
export const SCALES = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, label: '1×' },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, label: '3×' },
} as const;
export type ScaleName = keyof typeof SCALES;
/** The matrix's language per screen: English on the desktop, Khmer (the card's default) on the phone. */
export const LANG_OF: Record<ScaleName, CardLang> = { desktop: 'en', phone: 'km' };

export const MERCHANT = { bakongAccountId: 'phsar_khmer@devb', merchantName: 'Phsar Khmer' };
export const BILL_NUMBER = 'ORDER-1042';
/** The check endpoint's refusal in the `refused` state. */
export const REFUSAL = {
  code: 'unknown_checkout',
  message: 'This shop has no checkout with this QR.',
};
/** What the `invalid` cards are given as `qr`: not a KHQR at all. */
export const NOT_A_KHQR = 'https://phsar-khmer.example/pay/ORDER-1042';
/** How far past its expiry the `grace` card is told it is. */
const GRACE_PAST_MS = 5_000;

/**
 * The first check at once, without jitter: every state is reached in well under a second. Then
 * slow, since one answer is all a state needs: dozens of cards polling fast keep a small machine
 * too busy to take pictures.
 */
export const FAST_POLICY: Partial<PollPolicy> = {
  firstDelayMs: 10,
  fastIntervalMs: 5_000,
  slowIntervalMs: 5_000,
  backoffBaseMs: 100,
  backoffMaxMs: 5_000,
  jitter: 0,
  requestTimeoutMs: 2_000,
};

/** A card to show: its state, skin, theme and language; the payment's fields may be changed. */
export interface CellSpec {
  state: CardState;
  card: CardKind;
  theme: CardTheme;
  lang: CardLang;
  /** @default 12.50 USD in English, 48,000 KHR in Khmer */
  amount?: string | number;
  currency?: KhqrCurrency;
  /** @default ORDER-1042 on USD and on paid cards, none on the others */
  billNumber?: string | null;
}

/** A card as served: its id on the page (`data-cell`) and the QR it was given. */
export interface Cell extends Required<Omit<CellSpec, 'billNumber'>> {
  id: string;
  billNumber: string | null;
  qr: string;
  /** The QR's md5, null for the invalid card (no checks are made). */
  md5: string | null;
  expiresAt: number | null;
}

interface PageOptions {
  /** One row, as wide as its cards (the README's picture), instead of wrapping. */
  row?: boolean;
  /** More CSS for the page (e.g. to break the cards on purpose). */
  css?: string;
  /** Padding around each card, px. @default 24 */
  padding?: number;
}

export interface CardStatesServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Makes a page with these cards (each with its own QR and scripted answers); its URL and cells. */
  page(specs: CellSpec[], options?: PageOptions): { url: string; cells: Cell[] };
  /** Serves a file at `path` (the contact sheet's pictures). */
  file(path: string, type: string, body: Buffer | string): string;
  /** How many checks the endpoint answered for an md5. */
  checks(md5: string): number;
  close(): Promise<void>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page's own script: mounts the cards, and tells Node when they are ready and what shows. */
const PAGE_ENTRY = `
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { KhqrCheckout } from '@khqr-checkout/react';
import { stringsFor } from '@khqr-checkout/khqr/card';

const { cells, policy, endpoint } = window.KHQR_PAGE;
const hostOf = (cell) => document.querySelector('[data-cell="' + cell.id + '"]');
// Where the card's .khqr root lives: the element's shadow root, or React's container.
const rootOf = (cell) =>
  cell.card === 'element' ? hostOf(cell).querySelector('khqr-checkout')?.shadowRoot : hostOf(cell);

for (const cell of cells) {
  const host = hostOf(cell);
  if (cell.card === 'element') {
    const el = document.createElement('khqr-checkout');
    el.pollPolicy = policy;
    el.setAttribute('lang', cell.lang);
    el.setAttribute('theme', cell.theme);
    el.setAttribute('endpoint', endpoint);
    el.setAttribute('qr', cell.qr);
    host.append(el);
  } else {
    const slot = document.createElement('div');
    host.append(slot);
    createRoot(slot).render(
      createElement(KhqrCheckout, {
        qr: cell.qr,
        endpoint,
        lang: cell.lang,
        theme: cell.theme,
        pollPolicy: policy,
      }),
    );
  }
}

function ready(cell) {
  const k = rootOf(cell)?.querySelector('.khqr');
  if (!k) return false;
  const s = stringsFor(cell.lang);
  const state = k.getAttribute('data-state');
  const grace = k.hasAttribute('data-grace');
  const reconnecting = k.hasAttribute('data-reconnecting');
  const status = k.querySelector('.khqr-status')?.textContent ?? '';
  const overlay = k.querySelector('.khqr-overlay > span:not(.khqr-tick)')?.textContent ?? '';
  switch (cell.state) {
    case 'pending':
      return state === 'pending' && !grace && !reconnecting && status === s.waiting;
    case 'reconnecting':
      return state === 'pending' && reconnecting && status === s.reconnecting;
    case 'delayed':
      return state === 'pending' && !grace && status === s.delayed;
    case 'grace':
      return state === 'pending' && grace && overlay === s.lastChecks;
    case 'paid':
      return state === 'paid' && Boolean(k.querySelector('.khqr-receipt'));
    case 'failed':
    case 'expired':
      return state === cell.state;
    case 'refused':
      return k.hasAttribute('data-refused') && overlay === s.invalid;
    case 'invalid':
      return Boolean(k.querySelector('.khqr-error'));
  }
  return false;
}

/** The ids of the cards not yet in their state. */
window.khqrNotReady = () => cells.filter((cell) => !ready(cell)).map((cell) => cell.id);

const normal = (s) => s.replace(/\\s+/g, ' ').trim();
const KHMER = /[\\u1780-\\u17ff\\u19e0-\\u19ff]/;
/** What a card shows: which of \`texts\` are on screen in it, and its smallest Khmer font size. */
window.khqrInspect = (id, texts) => {
  const cell = cells.find((c) => c.id === id);
  // The card's cell at the top of the viewport: the picture is taken from there.
  hostOf(cell).scrollIntoView({ block: 'start', inline: 'start' });
  const root = rootOf(cell);
  const k = root.querySelector('.khqr');
  const outer = cell.card === 'element' ? hostOf(cell).querySelector('khqr-checkout') : k;
  const rect = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  };
  const box = k.getBoundingClientRect();
  const all = [...k.querySelectorAll('*')];
  const shown = (el) => {
    if (el.closest('.khqr-sr')) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) < 0.5) return false;
    }
    return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  };
  const found = texts.map((text) => all.some((el) => normal(el.textContent ?? '') === text && shown(el)));
  let khmerMinFontPx = null;
  let khmerSample = null;
  const walker = document.createTreeWalker(k, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !KHMER.test(node.textContent ?? '') || !shown(parent)) continue;
    const size = Number.parseFloat(getComputedStyle(parent).fontSize);
    if (khmerMinFontPx === null || size < khmerMinFontPx) {
      khmerMinFontPx = size;
      khmerSample = normal(node.textContent ?? '');
    }
  }
  // Text cut short: a block whose content is wider than its box (an ellipsis, a clipped line).
  const clipped = all
    .filter((el) => !el.closest('.khqr-sr') && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && getComputedStyle(el).overflow !== 'visible' && el.tagName !== 'svg')
    .map((el) => el.className + ': ' + normal(el.textContent ?? ''));
  return {
    found,
    khmerMinFontPx,
    khmerSample,
    clipped,
    cardBox: rect(outer),
    qrBox: rect(k.querySelector('.khqr-qr')),
    pageWidth: document.documentElement.scrollWidth,
  };
};
`;

/** Starts the server: builds the drop-in (Vite) and the React page bundle (esbuild) first. */
export async function startCardStates(): Promise<CardStatesServer> {
  const [dropIn, pageScript] = await Promise.all([buildDropIn(), buildPageScript()]);
  const pages = new Map<string, string>();
  const files = new Map<string, { type: string; body: Buffer | string }>();
  const answers = new Map<string, { cell: Cell; paidAt: number; checks: number }>();
  let serial = 0;
  let pageCount = 0;
  const clock = Date.now();

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/api/khqr/check' && req.method === 'POST') {
      void readJson(req).then((body) => {
        const entry = answers.get(String(body.md5));
        const [status, answer] = entry ? answerFor(entry) : [400, { error: REFUSAL }];
        res
          .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify(answer));
      });
      return;
    }
    if (path.startsWith('/api/khqr/')) return void res.writeHead(404).end();
    if (path === '/khqr-checkout.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(dropIn);
    if (path === '/cards.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageScript);
    const file = files.get(path);
    if (file) return void res.writeHead(200, { 'content-type': file.type }).end(file.body);
    const html = pages.get(path);
    if (html)
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function answerFor(entry: { cell: Cell; paidAt: number; checks: number }): [number, unknown] {
    entry.checks++;
    const { cell } = entry;
    const serverNow = Date.now();
    const status = { serverNow, expiresAt: cell.expiresAt as number };
    switch (cell.state) {
      case 'reconnecting':
        return [503, { error: { code: 'unavailable', message: 'Try again shortly.' } }];
      case 'refused':
        return [400, { error: REFUSAL }];
      case 'delayed':
        return [200, { status: 'pending', ...status, delayed: true }];
      case 'grace':
        return [200, { status: 'pending', serverNow, expiresAt: serverNow - GRACE_PAST_MS }];
      case 'paid':
        return [200, { status: 'paid', ...status, paidAt: entry.paidAt }];
      case 'failed':
      case 'expired':
        return [200, { status: cell.state, ...status }];
      default:
        return [200, { status: 'pending', ...status }];
    }
  }

  return {
    origin,
    page(specs, options = {}) {
      const cells = specs.map((spec): Cell => {
        const id = String(serial++);
        const currency = spec.currency ?? (spec.lang === 'en' ? 'USD' : 'KHR');
        const amount = spec.amount ?? (currency === 'USD' ? '12.50' : 48000);
        const billNumber =
          spec.billNumber !== undefined
            ? spec.billNumber
            : currency === 'USD' || spec.state === 'paid'
              ? BILL_NUMBER
              : null;
        const base = { ...spec, id, amount, currency, billNumber };
        if (spec.state === 'invalid')
          return { ...base, qr: NOT_A_KHQR, md5: null, expiresAt: null };
        // A distinct creation time per card: every QR (and md5) differs, so no two cards share a
        // checkout (its tab lock and answers).
        const made = generateKhqr({
          ...MERCHANT,
          amount,
          currency,
          ...(billNumber ? { billNumber } : {}),
          now: clock + Number(id),
        });
        const cell = { ...base, qr: made.qr, md5: made.md5, expiresAt: made.expiresAt };
        answers.set(made.md5, { cell, paidAt: clock - 90_000, checks: 0 });
        return cell;
      });
      const padding = options.padding ?? 24;
      const path = `/page/${pageCount++}`;
      pages.set(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>KHQR card states</title>
<script src="/khqr-checkout.js"></script>
<style>
body{margin:0;background:#f2f3f5}
main{display:flex;flex-wrap:wrap;align-items:stretch}
main.row{flex-wrap:nowrap;width:max-content}
.cell{padding:${padding}px}
.cell.dark{background:#16181d;color:#f2f3f5}
${options.css ?? ''}
</style></head><body>
<main${options.row ? ' class="row"' : ''}>${cells
          .map(
            (c) =>
              `<div class="cell ${c.theme}" data-cell="${c.id}" data-state="${c.state}" title="${escapeHtml(caption(c))}"></div>`,
          )
          .join('')}</main>
<script>window.KHQR_PAGE=${scriptJson({ cells, policy: FAST_POLICY, endpoint: '/api/khqr/check' })}</script>
<script src="/cards.js"></script>
</body></html>`,
      );
      return { url: origin + path, cells };
    },
    file(path, type, body) {
      files.set(path, { type, body });
      return origin + path;
    },
    checks: (md5) => answers.get(md5)?.checks ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The React card and the page's helpers, bundled from source. */
async function buildPageScript(): Promise<string> {
  const result = await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: ROOT, loader: 'tsx', sourcefile: 'cards.tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@khqr-checkout/source'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** "paid · element · dark · 3× · km": what the contact sheet writes under a card. */
export function caption(cell: Pick<Cell, 'state' | 'card' | 'theme' | 'lang'>, scale?: ScaleName) {
  return [
    cell.state,
    cell.card === 'element' ? 'element' : 'React',
    cell.theme,
    ...(scale ? [SCALES[scale].label] : []),
    cell.lang,
  ].join(' · ');
}

/** The texts a customer must see on the card in this state. */
export function expectedTexts(cell: Cell): string[] {
  const s = stringsFor(cell.lang);
  if (cell.state === 'invalid') {
    const verification = verifyKhqr(cell.qr, { ignoreExpiry: true });
    return [`${s.invalid}: ${verification.valid ? '' : verification.error.message}`];
  }
  const money = [MERCHANT.merchantName, formatMoney(cell.amount, cell.currency), cell.currency];
  const state: Record<Exclude<CardState, 'invalid'>, string[]> = {
    pending: [s.waiting, s.expiresIn],
    reconnecting: [s.reconnecting, s.expiresIn],
    delayed: [s.delayed, s.expiresIn],
    grace: [s.lastChecks],
    paid: [s.paid, s.paidOn, s.reference, cell.billNumber ?? ''],
    failed: [s.failed],
    expired: [s.expired],
    refused: [s.invalid, REFUSAL.message],
  };
  return [...money, ...state[cell.state]];
}

/** Waits until every card of the page is in its state, and the fonts are loaded. */
export async function waitForCards(tab: Page, timeout = 10_000): Promise<void> {
  try {
    await tab.waitForFunction(
      () => (window as unknown as { khqrNotReady?: () => string[] }).khqrNotReady?.().length === 0,
      undefined,
      { timeout, polling: 20 },
    );
  } catch (error) {
    const late = await tab
      .evaluate(() => (window as unknown as { khqrNotReady?: () => string[] }).khqrNotReady?.())
      .catch(() => undefined);
    throw new Error(`Cards not in their state after ${timeout} ms: ${JSON.stringify(late)}`, {
      cause: error,
    });
  }
  await tab.evaluate(() => document.fonts.ready.then(() => undefined));
}

/** The card's outer element: the `<khqr-checkout>` host, or React's `.khqr` root. */
export const cardSelector = (cell: Cell) =>
  cell.card === 'element'
    ? `[data-cell="${cell.id}"] khqr-checkout`
    : `[data-cell="${cell.id}"] > div > .khqr`;

/** Reads a QR from a PNG's pixels as a phone camera app would (jsQR); null when none is found. */
export function scanPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the page's `khqrInspect` answers about a card. */
interface Inspection {
  found: boolean[];
  khmerMinFontPx: number | null;
  khmerSample: string | null;
  clipped: string[];
  cardBox: Box | null;
  qrBox: Box | null;
  pageWidth: number;
}

/** One card photographed, with what was measured on it. */
export interface Shot {
  cell: Cell;
  scale: ScaleName;
  /** The card's screenshot (device pixels). */
  png: Buffer;
  /** What jsQR read from `png`. */
  scanned: string | null;
  /** In CSS px, relative to the viewport, once scrolled into view. */
  cardBox: Box;
  qrBox: Box | null;
  viewport: { width: number; height: number };
  /** The page's scroll width: wider than the viewport means horizontal scrolling. */
  pageWidth: number;
  texts: Array<{ text: string; shown: boolean }>;
  khmerMinFontPx: number | null;
  khmerSample: string | null;
  /** Blocks whose text is cut short. */
  clipped: string[];
}

/** The matrix: every state × skin × theme for one screen, in the contact sheet's order. */
export function matrixSpecs(scale: ScaleName): CellSpec[] {
  const specs: CellSpec[] = [];
  for (const state of CARD_STATES)
    for (const theme of ['light', 'dark'] as const)
      for (const card of ['element', 'react'] as const)
        specs.push({ state, card, theme, lang: LANG_OF[scale] });
  return specs;
}

export const contextOptions = (scale: ScaleName): BrowserContextOptions => ({
  viewport: SCALES[scale].viewport,
  deviceScaleFactor: SCALES[scale].deviceScaleFactor,
  // The QR's fade and the countdown bar's slide are skipped: the pictures show the end state.
  reducedMotion: 'reduce',
  timezoneId: 'Asia/Phnom_Penh',
  locale: 'en-US',
});

/** Script errors and console errors, but for the failed requests the endpoint answers on purpose. */
function watchProblems(tab: Page, problems: string[]): void {
  tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  tab.on('console', (m) => {
    if (m.type() === 'error' && !/status of (400|404|503)/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
}

/**
 * Photographs every card state × skin × theme on both screens (72 cards), and measures each.
 * One context per screen, all of its cards on one page.
 */
export async function shootMatrix(
  browser: Browser,
  server: CardStatesServer,
  options: { css?: string } = {},
): Promise<{ shots: Shot[]; problems: string[] }> {
  const problems: string[] = [];
  const perScale = await Promise.all(
    (Object.keys(SCALES) as ScaleName[]).map(async (scale) => {
      const context = await browser.newContext(contextOptions(scale));
      try {
        const tab = await context.newPage();
        watchProblems(tab, problems);
        const { url, cells } = server.page(
          matrixSpecs(scale),
          options.css === undefined ? {} : { css: options.css },
        );
        await tab.goto(url);
        await waitForCards(tab);
        const viewport = SCALES[scale].viewport;
        const shots: Shot[] = [];
        for (const cell of cells) {
          const texts = expectedTexts(cell);
          // Scrolls the card to the top of the viewport, and measures it there.
          const seen = await tab.evaluate(
            ([id, list]) =>
              (
                window as unknown as { khqrInspect: (id: string, texts: string[]) => Inspection }
              ).khqrInspect(id, list),
            [cell.id, texts] as const,
          );
          const png = await tab
            .locator(cardSelector(cell))
            .screenshot({ animations: 'disabled', caret: 'hide' });
          shots.push({
            cell,
            scale,
            png,
            scanned: null,
            cardBox: seen.cardBox as Box,
            qrBox: seen.qrBox,
            viewport,
            pageWidth: seen.pageWidth,
            texts: texts.map((text, i) => ({ text, shown: seen.found[i] === true })),
            khmerMinFontPx: seen.khmerMinFontPx,
            khmerSample: seen.khmerSample,
            clipped: seen.clipped,
          });
        }
        return shots;
      } finally {
        await context.close();
      }
    }),
  );
  const shots = perScale.flat();
  for (const shot of shots) shot.scanned = scanPng(shot.png);
  return { shots, problems };
}

/**
 * The contact sheet: one row per state, one column per screen × theme × skin, every card at its
 * CSS size on its page's background, captioned. A PNG.
 */
export async function contactSheet(
  browser: Browser,
  server: CardStatesServer,
  shots: Shot[],
): Promise<Buffer> {
  const columns: Array<{ scale: ScaleName; theme: CardTheme; card: CardKind }> = [];
  for (const scale of Object.keys(SCALES) as ScaleName[])
    for (const theme of ['light', 'dark'] as const)
      for (const card of ['element', 'react'] as const) columns.push({ scale, theme, card });
  const stamp = Date.now();
  const figure = (shot: Shot | undefined, i: number) => {
    if (!shot) return '<figure class="missing"><figcaption>missing</figcaption></figure>';
    const src = server.file(`/sheet/${stamp}-${i}.png`, 'image/png', shot.png);
    // The PNG's width, from its header.
    const css = Math.round(shot.png.readUInt32BE(16) / SCALES[shot.scale].deviceScaleFactor);
    return `<figure class="${shot.cell.theme}"><img src="${src.slice(server.origin.length)}" width="${css}" alt=""><figcaption>${escapeHtml(caption(shot.cell, shot.scale))}</figcaption></figure>`;
  };
  let n = 0;
  const rows = CARD_STATES.map(
    (state) =>
      `<div class="state">${state}</div>${columns
        .map((c) =>
          figure(
            shots.find(
              (s) =>
                s.cell.state === state &&
                s.scale === c.scale &&
                s.cell.theme === c.theme &&
                s.cell.card === c.card,
            ),
            n++,
          ),
        )
        .join('')}`,
  ).join('');
  const heads = columns
    .map(
      (c) =>
        `<div class="head">${c.card === 'element' ? '&lt;khqr-checkout&gt;' : '&lt;KhqrCheckout&gt;'}<br>${c.theme} · ${SCALES[c.scale].label} ${c.scale} · ${LANG_OF[c.scale]}</div>`,
    )
    .join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#fff;font:13px/1.35 system-ui,sans-serif;color:#1d1d1d}
main{display:grid;grid-template-columns:auto repeat(${columns.length},max-content);width:max-content;padding:16px;gap:0}
h1{grid-column:1/-1;font-size:18px;margin:0 0 12px}
.head{font-weight:700;text-align:center;padding:6px 8px;border-bottom:2px solid #ccc}
.state{font-weight:800;font-size:15px;padding:16px 12px 0 4px;writing-mode:vertical-rl;transform:rotate(180deg);text-align:right;border-top:1px solid #ddd}
figure{margin:0;padding:16px 16px 8px;background:#f2f3f5;display:flex;flex-direction:column;align-items:center;gap:8px;border-top:1px solid #ddd}
figure.dark{background:#16181d}
figure img{display:block}
figcaption{font:600 12px system-ui,sans-serif;color:#1d1d1d;background:#fff;border-radius:4px;padding:2px 8px;margin-top:auto}
</style></head><body><main><h1>khqr-checkout: every card state (rows) × screen, theme and skin (columns)</h1><div></div>${heads}${rows}</main></body></html>`;
  const sheetUrl = server.file(`/sheet/${stamp}.html`, 'text/html; charset=utf-8', html);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await context.newPage();
    await tab.goto(sheetUrl);
    await tab.evaluate(() =>
      Promise.all([...document.images].map((img) => img.decode())).then(() => undefined),
    );
    return await tab.locator('main').screenshot();
  } finally {
    await context.close();
  }
}
