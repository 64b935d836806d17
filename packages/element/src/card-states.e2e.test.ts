// Every state of the card, in both skins (<khqr-checkout> from the drop-in bundle, <KhqrCheckout>
// from the React package), light and dark, on a desktop at 1× (English) and a phone at 3×
// (Khmer): 72 screenshots in Debian's Chromium, driven by Playwright from Node against a scripted
// check endpoint (test-utils/card-states.ts). The QRs are read back from the screenshots' pixels.
// The contact sheet of the run is written to the temp dir (`pnpm card-picture` writes the docs').
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARD_STATES,
  type CardStatesServer,
  COVERED,
  caption,
  contactSheet,
  SCALES,
  SCANNABLE,
  type Shot,
  shootMatrix,
  startCardStates,
} from '../../../test-utils/card-states.ts';
import { launchChromium } from '../../../test-utils/chromium.ts';

let server: CardStatesServer;
let browser: Browser;
let shots: Shot[] = [];
let problems: string[] = [];
const SHEET = join(tmpdir(), 'khqr-card-states.png');

const label = (shot: Shot) => caption(shot.cell, shot.scale);
/** The labels of the shots failing `bad`, with why: one readable list for each assertion. */
const failing = (list: Shot[], bad: (shot: Shot) => string | false) =>
  list.flatMap((shot) => {
    const why = bad(shot);
    return why === false ? [] : [`${label(shot)}: ${why}`];
  });

beforeAll(async () => {
  [server, browser] = await Promise.all([startCardStates(), launchChromium()]);
  ({ shots, problems } = await shootMatrix(browser, server));
  writeFileSync(SHEET, await contactSheet(browser, server, shots));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('every card state, in both skins, both themes, on a desktop and a phone', () => {
  it('photographs all 72 cards, each after its scripted answers, with no page errors', () => {
    expect(shots).toHaveLength(CARD_STATES.length * 2 * 2 * 2);
    const seen = new Set(shots.map(label));
    expect(seen.size).toBe(shots.length);
    // Every card but the invalid one (no md5: nothing to check) was answered at least once.
    expect(
      failing(shots, (s) => s.cell.md5 !== null && server.checks(s.cell.md5) === 0 && 'no check'),
    ).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('reads the exact QR string back from the screenshot of every payable card', () => {
    const payable = shots.filter((s) => SCANNABLE.includes(s.cell.state));
    expect(payable).toHaveLength(SCANNABLE.length * 8);
    expect(
      failing(
        payable,
        (s) =>
          s.scanned !== s.cell.qr &&
          (s.scanned === null ? 'no QR found' : `read ${s.scanned.slice(0, 40)}…`),
      ),
    ).toEqual([]);
  });

  it('finds no QR in the screenshot once the QR is covered (grace, paid, failed, expired, refused)', () => {
    const covered = shots.filter((s) => COVERED.includes(s.cell.state));
    expect(covered).toHaveLength(COVERED.length * 8);
    expect(failing(covered, (s) => s.scanned !== null && `QR still read`)).toEqual([]);
  });

  it('shows the text of each state on screen: status, refusal, receipt and amount', () => {
    expect(
      failing(shots, (s) => {
        const missing = s.texts.filter((t) => !t.shown).map((t) => JSON.stringify(t.text));
        return missing.length > 0 && `not shown: ${missing.join(', ')}`;
      }),
    ).toEqual([]);
    // A spot check that the expectations say what the issue asks for.
    const paid = shots.find((s) => s.cell.state === 'paid' && s.cell.lang === 'en');
    expect(paid?.texts.map((t) => t.text)).toEqual(
      expect.arrayContaining(['Paid', 'Reference', 'ORDER-1042']),
    );
  });

  it('fits a 390 px phone: no horizontal overflow, the whole card wide and the whole QR in view', () => {
    const phone = shots.filter((s) => s.scale === 'phone');
    const { width, height } = SCALES.phone.viewport;
    expect(phone).toHaveLength(36);
    expect(failing(phone, (s) => s.pageWidth > width && `page is ${s.pageWidth} px wide`)).toEqual(
      [],
    );
    expect(
      failing(
        phone,
        (s) =>
          (s.cardBox.x < 0 || s.cardBox.x + s.cardBox.width > width) &&
          `card spans ${s.cardBox.x}–${s.cardBox.x + s.cardBox.width} px`,
      ),
    ).toEqual([]);
    expect(
      failing(phone, (s) => {
        const qr = s.qrBox;
        if (s.cell.state === 'invalid') return qr !== null && 'a QR box on an invalid card';
        if (!qr) return 'no QR box';
        return (
          (qr.x < 0 || qr.y < 0 || qr.x + qr.width > width || qr.y + qr.height > height) &&
          `QR at ${JSON.stringify(qr)}`
        );
      }),
    ).toEqual([]);
  });

  it('sets Khmer text at 13 px or more', () => {
    const khmer = shots.filter((s) => s.cell.lang === 'km');
    expect(khmer).toHaveLength(36);
    expect(
      failing(khmer, (s) =>
        s.khmerMinFontPx === null
          ? 'no Khmer text found'
          : s.khmerMinFontPx < 13 && `${s.khmerMinFontPx} px: ${s.khmerSample}`,
      ),
    ).toEqual([]);
  });
});
