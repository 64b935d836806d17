import { generateKhqr, khqrMd5 } from '@khqr-checkout/khqr';
import { KhqrCheckout, khqrCheckoutKey, useKhqrCheckout } from '@khqr-checkout/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const qrOf = (amount: string) =>
  generateKhqr({
    bakongAccountId: 'shop@devb',
    merchantName: 'Sok Coffee',
    currency: 'USD',
    amount,
    lifetime: 300,
  }).qr;

let posts: Array<{ url: string; body: Record<string, unknown> }>;
/** The merchant's checkout endpoint's answers, in order (the last one repeats). */
let checkouts: Array<{ status: number; body: unknown }>;
/** What the proxy's /check answers. */
let check: { status: string };

beforeEach(() => {
  posts = [];
  check = { status: 'pending' };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      posts.push({ url, body });
      if (url === '/api/khqr/check')
        return Response.json({ ...check, serverNow: Date.now(), expiresAt: Date.now() + 300_000 });
      const answer = (checkouts.length > 1 ? checkouts.shift() : checkouts[0]) as {
        status: number;
        body: unknown;
      };
      return Response.json(answer.body, { status: answer.status });
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const shopPosts = () => posts.filter((p) => p.url === '/api/orders/42/checkout');
const fast = { firstDelayMs: 10, fastIntervalMs: 40, slowIntervalMs: 40, jitter: 0 };

function Page() {
  const checkout = useKhqrCheckout({ endpoint: '/api/orders/42/checkout', body: { lang: 'en' } });
  if (checkout.error) return <p role="alert">{checkout.error.message}</p>;
  if (!checkout.qr) return <p>Loading</p>;
  return (
    <KhqrCheckout
      qr={checkout.qr}
      endpoint="/api/khqr/check"
      lang="en"
      pollPolicy={fast}
      onRefresh={checkout.renew}
    />
  );
}

const mount = (client: QueryClient) =>
  render(
    <QueryClientProvider client={client}>
      <Page />
    </QueryClientProvider>,
  );

describe('useKhqrCheckout', () => {
  it('asks the endpoint once for the checkout, not again on remount or focus, and caches it under its key', async () => {
    const first = qrOf('3.00');
    checkouts = [{ status: 201, body: { id: '42', checkout: { qr: first, md5: 'x' } } }];
    const client = new QueryClient();
    const view = mount(client);
    await screen.findByRole('img');
    view.unmount();
    mount(client);
    await screen.findByRole('img');
    act(() => {
      window.dispatchEvent(new Event('focus'));
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(shopPosts()).toEqual([{ url: '/api/orders/42/checkout', body: { lang: 'en' } }]);
    expect(client.getQueryData(khqrCheckoutKey('/api/orders/42/checkout', { lang: 'en' }))).toBe(
      first,
    );
    // The card watches the QR the endpoint gave.
    await waitFor(() =>
      expect(posts.some((p) => p.url === '/api/khqr/check' && p.body.md5 === khqrMd5(first))).toBe(
        true,
      ),
    );
  });

  it('renews an expired checkout: "New QR" posts the old md5 and the card watches the new QR', async () => {
    const [first, second] = [qrOf('3.00'), qrOf('3.01')];
    checkouts = [
      { status: 201, body: { qr: first } },
      { status: 201, body: { qr: second } },
    ];
    check = { status: 'expired' };
    const client = new QueryClient();
    mount(client);
    fireEvent.click(await screen.findByRole('button', { name: 'New QR' }));
    await waitFor(() => expect(shopPosts()).toHaveLength(2));
    expect(shopPosts()[1]?.body).toEqual({ lang: 'en', md5: khqrMd5(first) });
    check = { status: 'pending' };
    await waitFor(() =>
      expect(posts.some((p) => p.url === '/api/khqr/check' && p.body.md5 === khqrMd5(second))).toBe(
        true,
      ),
    );
    expect(client.getQueryData(khqrCheckoutKey('/api/orders/42/checkout', { lang: 'en' }))).toBe(
      second,
    );
  });

  it('shows a refusal at once (no retry of a 4xx), and retries a 5xx', async () => {
    checkouts = [{ status: 409, body: { error: 'This order is paid.' } }];
    mount(new QueryClient());
    expect((await screen.findByRole('alert')).textContent).toBe('This order is paid.');
    expect(shopPosts()).toHaveLength(1);
    cleanup();
    posts = [];
    checkouts = [
      { status: 503, body: { error: 'busy' } },
      { status: 201, body: { qr: qrOf('3.00') } },
    ];
    mount(new QueryClient());
    await screen.findByRole('img', {}, { timeout: 3000 });
    expect(shopPosts()).toHaveLength(2);
  });

  it('says clearly when no QueryClient is there', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<Page />)).toThrow(/needs a QueryClient/);
  });
});
