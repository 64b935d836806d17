// The drop-in: its size beside the official SDK alone, and the time from script load to a painted
// QR in Debian's Chromium (median and p95 over fresh pages).
import { gzipSize, measure } from '../scripts/size-lib.mjs';
import { launchChromium } from '../test-utils/chromium.ts';
import { serveDropInSite } from '../test-utils/drop-in-site.ts';
import { fmt, printTable } from './table.ts';

export async function benchElement(runs = 25): Promise<void> {
  const page = `<!doctype html><html><head><meta charset="utf-8"><script>window.t0 = performance.now()</script>
<script src="/khqr-checkout.js"></script></head><body>
<khqr-checkout bakong-account-id="bench@devb" merchant-name="Bench Shop" amount="12.50" currency="USD" lang="en"></khqr-checkout></body></html>`;
  const site = await serveDropInSite(page);
  const url = `${site.origin}/`;
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const tab = await browser.newPage();
      await tab.goto(url);
      const ms = await tab.evaluate(async () => {
        await customElements.whenDefined('khqr-checkout');
        const el = document.querySelector('khqr-checkout') as HTMLElement & {
          updateComplete: Promise<unknown>;
        };
        await el.updateComplete;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        if (!el.shadowRoot?.querySelector('svg path')) throw new Error('no QR painted');
        return performance.now() - (window as unknown as { t0: number }).t0;
      });
      times.push(ms);
      await tab.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
  times.sort((a, b) => a - b);
  const official = await measure("export * from 'bakong-khqr';");
  const dropIn = gzipSize(Buffer.from(site.script));
  printTable(
    `<khqr-checkout> drop-in (GNU gzip -9; ${runs} fresh pages in Chromium, loopback)`,
    ['measure', 'value'],
    [
      ['drop-in: Lit + QR encoder + SDK + card (min+gzip)', `${fmt(dropIn)} B`],
      ['official bakong-khqr SDK alone (min+gzip)', `${fmt(official.gzip)} B`],
      ['drop-in / official SDK', `${((100 * dropIn) / official.gzip).toFixed(0)} %`],
      ['script load → painted QR, median', `${(times[Math.floor(runs / 2)] ?? 0).toFixed(1)} ms`],
      ['script load → painted QR, p95', `${(times[Math.floor(runs * 0.95)] ?? 0).toFixed(1)} ms`],
    ],
  );
}
