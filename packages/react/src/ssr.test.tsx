// Server rendering in Node, where there is no window: the card and its QR are in the HTML.
import { generateKhqr } from '@khqr-checkout/khqr';
import { KhqrCheckout } from '@khqr-checkout/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { version } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';

describe('server rendering', () => {
  it('renders the card with the QR as SVG, without touching window or fetching', () => {
    expect(typeof window).toBe('undefined');
    // 19 in the node project, 18 in react18-node.
    expect(version.split('.')[0]).toBe(process.env.KHQR_REACT_MAJOR);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { qr } = generateKhqr({
      bakongAccountId: 'shop@devb',
      merchantName: 'Sok Coffee',
      currency: 'USD',
      amount: '12.50',
    });
    const html = renderToString(
      <QueryClientProvider client={new QueryClient()}>
        <KhqrCheckout qr={qr} endpoint="/api/khqr/check" lang="en" />
      </QueryClientProvider>,
    );
    expect(html).toContain('KHQR');
    expect(html).toContain('Sok Coffee');
    expect(html).toContain('12.50');
    expect(html).toMatch(
      /<svg[^>]*role="img"[^>]*aria-label="KHQR code to pay 12.50 USD to Sok Coffee"/,
    );
    expect(html).toMatch(/<path[^>]* d="M/);
    expect(html).toContain('.khqr-card{');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('renders without a QueryClientProvider too', () => {
    const { qr } = generateKhqr({
      bakongAccountId: 'shop@devb',
      merchantName: 'Shop',
      amount: 4000,
    });
    expect(renderToString(<KhqrCheckout qr={qr} />)).toContain('4,000');
  });
});
