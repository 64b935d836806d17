// <KhqrCheckout> in real Chromium against the sandbox and the proxy; and beside <khqr-checkout>.
import '@khqr-checkout/element/define';
import { KhqrCheckout, type KhqrCheckoutProps } from '@khqr-checkout/react';
import jsQR from 'jsqr';
import pixelmatch from 'pixelmatch';
import { act, version } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { commands, page } from 'vitest/browser';
import { catchDownload, scanImage, scanSvg } from '../../../test-utils/scan-qr.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const { proxyUrl } = inject('khqr');
const fast = { firstDelayMs: 50, fastIntervalMs: 150, slowIntervalMs: 150 };
const roots: Array<{ root: Root; host: HTMLElement }> = [];
afterEach(() => {
  for (const { root, host } of roots.splice(0)) {
    act(() => root.unmount());
    host.remove();
  }
  for (const el of document.querySelectorAll('khqr-checkout')) el.remove();
});

function mount(props: KhqrCheckoutProps): HTMLElement {
  const host = document.createElement('div');
  host.style.display = 'inline-block';
  document.body.append(host);
  const root = createRoot(host);
  act(() => root.render(<KhqrCheckout pollPolicy={fast} {...props} />));
  roots.push({ root, host });
  return host;
}

/** A <khqr-checkout> with these attributes, rendered. */
async function mountElement(attributes: Record<string, string>) {
  const element = document.createElement('khqr-checkout');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  await element.updateComplete;
  return element;
}

const until = async (condition: () => boolean, timeout = 10_000) => {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeout) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** A screenshot of `element` as ImageData. */
async function shot(element: Element): Promise<ImageData> {
  const base64 = await page.screenshot({ element, save: false });
  const bitmap = await createImageBitmap(
    await (await fetch(`data:image/png;base64,${base64}`)).blob(),
  );
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  g.drawImage(bitmap, 0, 0);
  return g.getImageData(0, 0, bitmap.width, bitmap.height);
}

/** Paints the QR's box white, in a screenshot of `root` (the encoders may pick other masks). */
function maskQr(image: ImageData, root: Element, qrBox: Element): void {
  const r = root.getBoundingClientRect();
  const q = qrBox.getBoundingClientRect();
  const ratio = image.width / r.width;
  for (
    let y = Math.floor((q.top - r.top) * ratio);
    y < Math.ceil((q.bottom - r.top) * ratio);
    y++
  ) {
    for (
      let x = Math.floor((q.left - r.left) * ratio);
      x < Math.ceil((q.right - r.left) * ratio);
      x++
    ) {
      image.data.fill(255, (y * image.width + x) * 4, (y * image.width + x) * 4 + 4);
    }
  }
}

describe('the QR a phone reads from the screen', () => {
  // The whole card as Chromium paints it, read with jsQR as a camera would: no SVG copied out of
  // the page, no quiet zone added. A card whose QR cannot be read from the screen fails.
  it.each([
    ['React', 'light'],
    ['React', 'dark'],
    ['element', 'light'],
    ['element', 'dark'],
  ] as const)(
    '%s card, %s theme: the painted QR scans back to the QR the card holds',
    async (card, theme) => {
      const checkout = await commands.createCheckout({ amount: '12.50', currency: 'USD' });
      let root: Element;
      if (card === 'React') {
        const host = mount({ qr: checkout.qr, lang: 'en', theme });
        root = host.querySelector('.khqr-card') as Element;
      } else {
        const element = document.createElement('khqr-checkout');
        element.setAttribute('qr', checkout.qr);
        element.setAttribute('lang', 'en');
        element.setAttribute('theme', theme);
        document.body.append(element);
        await element.updateComplete;
        root = element.shadowRoot?.querySelector('.khqr-card') as Element;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const image = await shot(root);
      expect(jsQR(image.data, image.width, image.height)?.data).toBe(checkout.qr);
    },
  );
});

describe('one engine under both cards', () => {
  it('shows the same browser-made QR after a reload (the customer may have paid it), in both cards', async () => {
    const fields = {
      bakongAccountId: 'khqr_shop@devb',
      merchantName: 'Shop',
      amount: '2.50',
      currency: 'USD' as const,
      billNumber: `RELOAD-${Date.now()}`,
      lang: 'en' as const,
    };
    const qrOf = async (host: HTMLElement) => {
      await until(() => host.querySelector('.khqr-qr svg') !== null);
      return scanSvg(host.querySelector('.khqr-qr svg') as SVGSVGElement);
    };
    const first = await qrOf(mount(fields));
    // A reload: the card is mounted afresh in the same tab.
    for (const { root, host } of roots.splice(0)) {
      act(() => root.unmount());
      host.remove();
    }
    expect(await qrOf(mount(fields))).toBe(first);
    // The element made from the same fields in this tab shows that QR too.
    const element = await mountElement({
      'bakong-account-id': fields.bakongAccountId,
      'merchant-name': fields.merchantName,
      amount: fields.amount,
      currency: fields.currency,
      'bill-number': fields.billNumber,
    });
    expect(await scanSvg(element.shadowRoot?.querySelector('.khqr-qr svg') as SVGSVGElement)).toBe(
      first,
    );
  });
});

describe('a paid card', () => {
  it('shows no countdown or progress bar in either card, only the result', async () => {
    const checkout = await commands.createCheckout({ amount: '6.00', currency: 'USD' });
    const host = mount({ qr: checkout.qr, endpoint: `${proxyUrl}/check`, lang: 'en' });
    const element = document.createElement('khqr-checkout');
    element.setAttribute('qr', checkout.qr);
    element.setAttribute('endpoint', `${proxyUrl}/check`);
    element.setAttribute('lang', 'en');
    element.pollPolicy = fast;
    document.body.append(element);
    await element.updateComplete;
    const roots = [host, element.shadowRoot as ShadowRoot];
    const visible = (root: ParentNode, selector: string) =>
      getComputedStyle(root.querySelector(selector) as Element).visibility === 'visible';
    await until(() => roots.every((r) => visible(r, '.khqr-timer') && visible(r, '.khqr-bar')));
    await commands.sandboxPay(checkout.qr);
    await until(() =>
      roots.every((r) => r.querySelector('.khqr')?.getAttribute('data-state') === 'paid'),
    );
    for (const root of roots) {
      expect(visible(root, '.khqr-timer')).toBe(false);
      expect(visible(root, '.khqr-bar')).toBe(false);
    }
  });
});

describe('text a customer can read', () => {
  /** WCAG contrast of two rgb() colours. */
  const contrast = (a: string, b: string) => {
    const lum = (c: string) => {
      const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  };

  it.each(['light', 'dark'] as const)(
    'a %s card on a white page: the status line and buttons outside the card are legible, Khmer text is at least 13 px',
    async (theme) => {
      const checkout = await commands.createCheckout({ amount: '6.00', currency: 'USD' });
      document.body.style.background = '#fff';
      document.body.style.color = '#1d1d1d';
      const host = mount({ qr: checkout.qr, lang: 'km', theme });
      const element = document.createElement('khqr-checkout');
      element.setAttribute('qr', checkout.qr);
      element.setAttribute('theme', theme);
      document.body.append(element);
      await element.updateComplete;
      for (const root of [host, element.shadowRoot as ShadowRoot]) {
        for (const selector of ['.khqr-status', '.khqr-actions button']) {
          const node = root.querySelector(selector) as Element;
          expect(
            contrast(getComputedStyle(node).color, 'rgb(255, 255, 255)'),
          ).toBeGreaterThanOrEqual(4.5);
        }
        const khmer = [...root.querySelectorAll('*')].filter(
          (n) =>
            [...n.childNodes].some(
              (c) => c.nodeType === Node.TEXT_NODE && /[\u1780-\u17ff]/.test(c.textContent ?? ''),
            ) && (n as HTMLElement).offsetParent !== null,
        );
        expect(khmer.length).toBeGreaterThan(0);
        for (const n of khmer)
          expect(parseFloat(getComputedStyle(n).fontSize), n.className).toBeGreaterThanOrEqual(13);
      }
    },
  );
});

describe('the card follows its own size, not the window', () => {
  it.each([
    [1280, 800],
    [1920, 1080],
    [390, 844],
  ])('has the same 20 px corners at a %i × %i window, in both cards', async (width, height) => {
    await page.viewport(width, height);
    onTestFinished(() => page.viewport(1280, 800));
    const checkout = await commands.createCheckout({ amount: '3.00', currency: 'USD' });
    const host = mount({ qr: checkout.qr, lang: 'en' });
    const element = document.createElement('khqr-checkout');
    element.setAttribute('qr', checkout.qr);
    document.body.append(element);
    await element.updateComplete;
    const radius = (root: ParentNode | null | undefined) =>
      getComputedStyle(root?.querySelector('.khqr-card') as Element).borderTopLeftRadius;
    expect(radius(host)).toBe('20px');
    expect(radius(element.shadowRoot)).toBe('20px');
  });
});

describe('<KhqrCheckout> in Chromium', () => {
  it(`runs on React ${inject('reactMajor')}`, () => {
    expect(version.split('.')[0]).toBe(inject('reactMajor'));
  });

  it('downloads the card as a PNG whose QR scans back to the one shown, currency mark and all', async () => {
    const checkout = await commands.createCheckout({ amount: 48000, currency: 'KHR' });
    const host = mount({ qr: checkout.qr, endpoint: `${proxyUrl}/check`, lang: 'en' });
    const button = [...host.querySelectorAll('button')].find(
      (b) => b.textContent === 'Download QR',
    );
    const link = await catchDownload(() => button?.click());
    expect(link.download).toMatch(/^khqr-KHQR-Shop-[0-9a-f]{8}\.png$/);
    expect(await scanImage(link.href)).toBe(checkout.qr);
  });

  it('renders a QR that scans to the same payload as the element renders for the same props', async () => {
    const checkout = await commands.createCheckout({ amount: 40000, currency: 'KHR' });
    const host = mount({ qr: checkout.qr, lang: 'en' });
    const element = document.createElement('khqr-checkout');
    element.setAttribute('qr', checkout.qr);
    document.body.append(element);
    await element.updateComplete;
    const fromReact = await scanSvg(host.querySelector('svg[role="img"]') as SVGSVGElement);
    const fromElement = await scanSvg(
      element.shadowRoot?.querySelector('svg[role="img"]') as SVGSVGElement,
    );
    expect(fromReact).toBe(checkout.qr);
    expect(fromElement).toBe(fromReact);
  });

  it("looks like the element: under 0.05 % of the card's pixels differ outside the QR modules", async () => {
    const checkout = await commands.createCheckout({ amount: '12.50', currency: 'USD' });
    // One frozen clock for both cards: their countdowns and bars would otherwise tick on their
    // own between the two screenshots.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const host = mount({ qr: checkout.qr, lang: 'en' });
    const element = document.createElement('khqr-checkout');
    element.setAttribute('qr', checkout.qr);
    element.setAttribute('lang', 'en');
    document.body.append(element);
    await element.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reactRoot = host.querySelector('.khqr-card') as HTMLElement;
    const elementRoot = element.shadowRoot?.querySelector('.khqr-card') as HTMLElement;
    const [a, b] = [await shot(reactRoot), await shot(elementRoot)];
    const time = (root: Element) => root.querySelector('.khqr-time')?.textContent;
    expect(time(reactRoot)).toMatch(/^0[45]:[0-5]\d$/);
    expect(time(elementRoot)).toBe(time(reactRoot));
    // Sub-pixel layout may round one line apart; compare the common area.
    expect(Math.abs(a.width - b.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(a.height - b.height)).toBeLessThanOrEqual(2);
    maskQr(a, reactRoot, reactRoot.querySelector('.khqr-qr svg') as Element);
    maskQr(b, elementRoot, elementRoot.querySelector('.khqr-qr svg') as Element);
    const [w, h] = [Math.min(a.width, b.width), Math.min(a.height, b.height)];
    const crop = (image: ImageData) => {
      const out = new Uint8ClampedArray(w * h * 4);
      for (let y = 0; y < h; y++)
        out.set(image.data.subarray(y * image.width * 4, (y * image.width + w) * 4), y * w * 4);
      return out;
    };
    const differing = pixelmatch(crop(a), crop(b), undefined, w, h, { threshold: 0.1 });
    expect(differing / (w * h)).toBeLessThan(0.0005);
    // Below the card: the same status line and the same actions.
    const labels = (root: ParentNode) =>
      [...root.querySelectorAll('.khqr-status, .khqr-actions button')].map((n) => n.textContent);
    expect(labels(host)).toEqual(labels(element.shadowRoot as ShadowRoot));
  });
});
