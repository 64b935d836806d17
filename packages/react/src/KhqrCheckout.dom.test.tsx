import { generateKhqr } from '@khqr-checkout/khqr';
import { KhqrCheckout, type KhqrCheckoutProps } from '@khqr-checkout/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useEffect, useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fast = {
  firstDelayMs: 10,
  fastIntervalMs: 40,
  slowIntervalMs: 40,
  backoffBaseMs: 40,
  backoffMaxMs: 80,
  jitter: 0,
};
let answers: Array<{ status: number; body: unknown }>;
let calls: Array<Record<string, unknown>>;

beforeEach(() => {
  answers = [];
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(JSON.parse(String(init.body)));
      const answer =
        answers.length > 1
          ? (answers.shift() as { status: number; body: unknown })
          : (answers[0] ?? { status: 200, body: { status: 'pending' } });
      return new Response(JSON.stringify(answer.body), { status: answer.status });
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const serverQr = (amount = '12.50') =>
  generateKhqr({
    bakongAccountId: 'shop@devb',
    merchantName: 'Sok Coffee',
    currency: 'USD',
    amount,
    lifetime: 300,
  });
const status = (s: string) => ({
  status: 200,
  body: { status: s, serverNow: Date.now(), expiresAt: Date.now() + 300_000 },
});
const card = (props: Partial<KhqrCheckoutProps> = {}) => (
  <KhqrCheckout endpoint="/api/khqr/check" lang="en" pollPolicy={fast} {...props} />
);

/** A page that re-renders every 30 ms, around a card checking about every 150 ms (± 20 %). */
function Busy({ qr }: { qr: string }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 30);
    return () => clearInterval(timer);
  }, []);
  return card({ qr, pollPolicy: { ...fast, fastIntervalMs: 150, jitter: 0.2 } });
}

describe('<KhqrCheckout>', () => {
  it('renders the card: merchant, amount, the QR with its accessible name, waiting', async () => {
    render(card({ qr: serverQr().qr }));
    expect(screen.getByText('Sok Coffee')).toBeTruthy();
    expect(screen.getByText('12.50')).toBeTruthy();
    expect(
      screen
        .getByRole('img', { name: 'KHQR code to pay 12.50 USD to Sok Coffee' })
        .tagName.toLowerCase(),
    ).toBe('svg');
    await waitFor(() => expect(calls.length).toBeGreaterThan(0));
    expect(screen.getByText('Waiting for payment')).toBeTruthy();
  });

  it.each<[string, 'onSuccess' | 'onFailed' | 'onExpired', string]>([
    ['paid', 'onSuccess', 'Paid'],
    ['failed', 'onFailed', 'Payment failed'],
    ['expired', 'onExpired', 'This QR has expired'],
  ])('calls back once when %s, and stops checking', async (state, callback, text) => {
    answers = [status('pending'), status(state)];
    const spies = {
      onSuccess: vi.fn(),
      onFailed: vi.fn(),
      onExpired: vi.fn(),
      onStatusChange: vi.fn(),
    };
    const { md5, qr } = serverQr();
    render(card({ qr, ...spies }));
    await waitFor(() => expect(spies[callback]).toHaveBeenCalledTimes(1));
    expect(spies[callback]).toHaveBeenCalledWith(
      expect.objectContaining({ md5, state, amount: '12.50', currency: 'USD' }),
    );
    expect(screen.getAllByText(text).length).toBeGreaterThan(0);
    const count = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls.length).toBe(count);
    for (const other of ['onSuccess', 'onFailed', 'onExpired'] as const)
      if (other !== callback) expect(spies[other]).not.toHaveBeenCalled();
  });

  it('keeps checking on its jittered schedule while the page re-renders more often than it checks', async () => {
    // The countdown alone re-renders every second, and a merchant's page may render more often;
    // a delay drawn again on every render would keep pushing the next check back for ever.
    render(<Busy qr={serverQr('7.00').qr} />);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // First check at 10 ms, then about every 150 ms (120–180): 6 or more in 1.2 s.
    expect(calls.length).toBeGreaterThanOrEqual(5);
  });

  it('calls back exactly once under StrictMode, with one poller', async () => {
    const timed = async (strict: boolean) => {
      calls = [];
      const onSuccess = vi.fn();
      const { qr } = serverQr(strict ? '2.00' : '3.00');
      const view = render(
        strict ? <StrictMode>{card({ qr, onSuccess })}</StrictMode> : card({ qr, onSuccess }),
      );
      await new Promise((resolve) => setTimeout(resolve, 400));
      const polled = calls.length;
      answers = [status('paid')];
      await waitFor(() => expect(onSuccess).toHaveBeenCalled());
      await new Promise((resolve) => setTimeout(resolve, 100));
      view.unmount();
      answers = [];
      return { polled, successes: onSuccess.mock.calls.length };
    };
    const plain = await timed(false);
    const strict = await timed(true);
    expect(strict.successes).toBe(1);
    expect(plain.successes).toBe(1);
    expect(strict.polled).toBeLessThanOrEqual(plain.polled + 2);
  });

  it('does not restart polling when a callback prop changes', async () => {
    const { qr } = serverQr();
    const view = render(card({ qr, onSuccess: () => {} }));
    await waitFor(() => expect(calls.length).toBeGreaterThan(1));
    const before = calls.length;
    view.rerender(card({ qr, onSuccess: () => {} }));
    view.rerender(card({ qr, onStatusChange: () => {} }));
    expect(calls.length).toBe(before);
  });

  it('stops polling on unmount', async () => {
    const view = render(card({ qr: serverQr().qr }));
    await waitFor(() => expect(calls.length).toBeGreaterThan(1));
    view.unmount();
    const count = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls.length).toBe(count);
  });

  it("uses the caller's QueryClient", async () => {
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>{card({ qr: serverQr().qr })}</QueryClientProvider>,
    );
    await waitFor(() =>
      expect(client.getQueryCache().findAll({ queryKey: ['khqr-checkout'] })).toHaveLength(1),
    );
  });

  it('shows reconnecting on transport errors and recovers to the true result, never failed', async () => {
    answers = [
      { status: 503, body: {} },
      { status: 502, body: {} },
      status('pending'),
      status('paid'),
    ];
    const onFailed = vi.fn();
    const onError = vi.fn();
    const onSuccess = vi.fn();
    render(card({ qr: serverQr().qr, onFailed, onError, onSuccess }));
    await waitFor(() => expect(screen.getByText('Reconnecting…')).toBeTruthy());
    await waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'transport' }));
    expect(onFailed).not.toHaveBeenCalled();
  });

  it('tells the customer the payment is confirmed later while the server cannot ask Bakong', async () => {
    const delayed = { status: 200, body: { ...status('pending').body, delayed: true } };
    answers = [delayed, delayed, delayed, status('paid')];
    const onSuccess = vi.fn();
    render(card({ qr: serverQr().qr, onSuccess }));
    await waitFor(() =>
      expect(
        screen.getByText(/Your order will be confirmed even if you close this page/),
      ).toBeTruthy(),
    );
    await waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
    expect(screen.queryByText(/Your order will be confirmed/)).toBeNull();
  });

  it('sends the QR it generated until the proxy accepted it', async () => {
    render(
      card({ bakongAccountId: 'shop@devb', merchantName: 'Shop', amount: 4000, currency: 'KHR' }),
    );
    await waitFor(() => expect(calls.length).toBeGreaterThan(2));
    expect(Object.keys(calls[0] ?? {}).sort()).toEqual(['md5', 'qr']);
    expect(Object.keys(calls[2] ?? {})).toEqual(['md5']);
  });

  it('stops and reports a refusal by the proxy (404)', async () => {
    answers = [
      {
        status: 404,
        body: { error: { code: 'unknown_md5', message: 'This checkout is not known here.' } },
      },
    ];
    const onError = vi.fn();
    render(card({ qr: serverQr().qr, onError }));
    await waitFor(() =>
      expect(onError).toHaveBeenCalledWith(
        expect.objectContaining({ kind: 'config', code: 'unknown_md5' }),
      ),
    );
    const count = calls.length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(calls.length).toBe(count);
  });

  it('shows a clear message for invalid props and never a QR', () => {
    const onError = vi.fn();
    render(
      card({
        bakongAccountId: 'shop@devb',
        merchantName: 'Shop',
        amount: '1.005',
        currency: 'USD',
        onError,
      }),
    );
    expect(screen.getByRole('alert').textContent).toContain('USD has at most 2 decimals');
    expect(screen.queryByRole('img')).toBeNull();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'config', code: '4' }));
  });

  it.each([
    ['its private QueryClient', false],
    ['a QueryClientProvider (which refetches on focus too)', true],
  ])(
    "tells the proxy why it checks, each reason on exactly one check (%s): 'paid' from \"I've paid\", 'visible' when the page returns",
    async (_name, provided) => {
      const client = new QueryClient();
      const view = card({ qr: serverQr().qr, pollPolicy: { ...fast, fastIntervalMs: 100 } });
      render(provided ? <QueryClientProvider client={client}>{view}</QueryClientProvider> : view);
      await waitFor(() => expect(calls.length).toBeGreaterThan(1));
      expect(calls.every((c) => !('signal' in c))).toBe(true);
      const signals = () => calls.map((c) => c.signal).filter(Boolean);

      fireEvent.click(screen.getByRole('button', { name: "I've paid, check now" }));
      await waitFor(() => expect(signals()).toEqual(['paid']));
      expect(calls.at(-1)).toEqual({ md5: expect.any(String), signal: 'paid' });
      // A timed check follows only once that one settled (a newer check would inherit 'paid').
      const settled = async () => {
        const count = calls.length;
        await waitFor(() => expect(calls.length).toBeGreaterThan(count));
      };
      await settled();

      const visibility = (state: 'hidden' | 'visible') => {
        Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
        act(() => {
          document.dispatchEvent(new Event('visibilitychange'));
        });
      };
      try {
        visibility('hidden');
        const before = calls.length;
        visibility('visible');
        await waitFor(() => expect(signals()).toEqual(['paid', 'visible']));
        expect(calls[before]).toEqual({ md5: expect.any(String), signal: 'visible' });
        await settled();
        act(() => {
          window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
          window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
        });
        await waitFor(() => expect(signals()).toEqual(['paid', 'visible', 'visible']));
        // The timed checks after them carry no signal.
        await settled();
        await settled();
        expect(signals()).toEqual(['paid', 'visible', 'visible']);
      } finally {
        delete (document as { visibilityState?: string }).visibilityState;
      }
    },
  );

  it('speaks Khmer by default', () => {
    render(<KhqrCheckout qr={serverQr().qr} />);
    expect(screen.getByText('ផុតកំណត់ក្នុងរយៈពេល')).toBeTruthy();
  });
});
