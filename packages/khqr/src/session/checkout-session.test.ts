import {
  type CheckoutSessionOptions,
  createCheckoutSession,
  interpretAnswer,
  nextPollDelay,
} from '@khqr-checkout/khqr/session';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeEnvironment, fakeFetch, fakeTabs, type Scripted } from '../../test/fake-proxy.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const MD5 = 'a'.repeat(32);
/** A proxy answer with the server's clock equal to the (fake) device clock. */
const pending = (extra = {}): Scripted => ({
  body: () => ({ status: 'pending', serverNow: Date.now(), expiresAt: T0 + 300_000, ...extra }),
});
const answer = (status: string): Scripted => ({
  body: { status, serverNow: T0, expiresAt: T0 + 300_000 },
});

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function session(script: Scripted[], extra: Partial<CheckoutSessionOptions> = {}) {
  const fake = fakeFetch(script);
  const s = createCheckoutSession({
    md5: MD5,
    expiresAt: T0 + 300_000,
    endpoint: '/api/khqr/check',
    fetch: fake.fetch,
    random: () => 0.5,
    environment: null,
    ...extra,
  });
  const states: string[] = [];
  const unsubscribe = s.subscribe(() => {
    const state = s.getSnapshot().state;
    if (states.at(-1) !== state) states.push(state);
  });
  return { s, calls: fake.calls, states, unsubscribe };
}

const gaps = (calls: Array<{ at: number }>) =>
  calls.slice(1).map((c, i) => c.at - (calls[i] as { at: number }).at);

describe('checkout session', () => {
  it('checks 1 s after start, about every 2 s for a minute, then every 5 s', async () => {
    const { calls, s } = session([pending()]);
    expect(s.getSnapshot().state).toBe('pending');
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(80_000);
    const g = gaps(calls);
    expect(g.slice(0, 5)).toEqual([2000, 2000, 2000, 2000, 2000]);
    expect(g.at(-1)).toBe(5000);
  });

  it('jitters delays by at most ±20 %', () => {
    const ctx = { sinceStartMs: 0, failures: 0, hidden: false, untilExpiryMs: 1e9 };
    expect(nextPollDelay(ctx, undefined, () => 0)).toBe(1600);
    expect(nextPollDelay(ctx, undefined, () => 0.999999)).toBe(2400);
  });

  it('goes paid once, notifies, and stops polling; later answers change nothing', async () => {
    const { calls, s, states } = session([pending(), answer('paid'), answer('failed')]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.getSnapshot().state).toBe('paid');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
    s.checkNow();
    await vi.advanceTimersByTimeAsync(5000);
    expect(states).toEqual(['pending', 'paid']);
  });

  it('keeps the paid time the proxy gives for the receipt, else the time it saw paid on the server clock', async () => {
    const told = session([
      { body: { status: 'paid', serverNow: T0, expiresAt: T0 + 300_000, paidAt: T0 - 42_000 } },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(told.s.getSnapshot()).toMatchObject({ state: 'paid', paidAt: T0 - 42_000 });
    told.unsubscribe();
    // An older proxy says nothing: the time it was seen paid, on the server clock (1 min ahead).
    const seen = session([
      { body: () => ({ status: 'paid', serverNow: Date.now() + 60_000, expiresAt: T0 + 300_000 }) },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen.s.getSnapshot().paidAt).toBe(Date.now() + 60_000);
    // A pending answer carries no paid time, whatever it says.
    expect(interpretAnswer(200, { status: 'pending', paidAt: 5 })).not.toHaveProperty('paidAt');
  });

  it('says the payment is confirmed later while the server cannot ask Bakong, and keeps polling', async () => {
    const { calls, s } = session([
      pending({ delayed: true }),
      pending({ delayed: true }),
      pending(),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot()).toMatchObject({ state: 'pending', delayed: true, reconnecting: false });
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(s.getSnapshot()).toMatchObject({ state: 'pending', delayed: false });
  });

  it('goes failed when the proxy says failed', async () => {
    const { s, states } = session([answer('failed')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(states).toEqual(['pending', 'failed']);
    expect(s.getSnapshot().reconnecting).toBe(false);
  });

  it('shows reconnecting on transport errors, backs off, honours Retry-After, and never fails because of them', async () => {
    const { calls, s } = session([
      'network-error',
      { status: 502 },
      // The proxy's own 503 (an answer: the third failure raises no `unreachable`).
      { status: 503, headers: { 'retry-after': '20' }, body: { error: { code: 'busy' } } },
      { status: 500 },
      pending(),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot()).toMatchObject({ state: 'pending', reconnecting: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gaps(calls).slice(0, 4)).toEqual([2000, 4000, 20_000, 16_000]);
    expect(s.getSnapshot()).toMatchObject({ state: 'pending', reconnecting: false });
  });

  it('stops with an error when the proxy refuses the checkout (404, 422)', async () => {
    const { calls, s } = session([
      {
        status: 404,
        body: { error: { code: 'unknown_md5', message: 'This checkout is not known here.' } },
      },
    ]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(1);
    expect(s.getSnapshot()).toMatchObject({
      state: 'pending',
      error: { code: 'unknown_md5', status: 404 },
    });
  });

  it('makes one check at expiry, keeps looking through the grace period, then expires', async () => {
    const { calls, s } = session([pending({ expiresAt: T0 + 30_000 })], {
      expiresAt: T0 + 30_000,
      policy: { slowIntervalMs: 60_000, fastIntervalMs: 60_000 },
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls.map((c) => c.at - T0)).toEqual([1000, 30_000]);
    expect(s.getSnapshot().state).toBe('pending');
    await vi.advanceTimersByTimeAsync(70_000);
    expect(s.getSnapshot().state).toBe('expired');
  });

  it('never expires on its own while the server answers delayed: a payment may have come', async () => {
    const late = pending({ expiresAt: T0 + 30_000, delayed: true });
    const { s } = session([late, late, late, late, late, late, answer('paid')], {
      expiresAt: T0 + 30_000,
      policy: { slowIntervalMs: 20_000, fastIntervalMs: 20_000 },
    });
    await vi.advanceTimersByTimeAsync(100_000);
    expect(s.getSnapshot()).toMatchObject({ state: 'pending', delayed: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.getSnapshot().state).toBe('paid');
  });

  it('counts a payment found during the grace period', async () => {
    const soon = pending({ expiresAt: T0 + 3000 });
    const { s } = session([soon, soon, answer('paid')], { expiresAt: T0 + 3000 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(s.getSnapshot().state).toBe('paid');
  });

  it('takes the proxy\'s "expired" at once', async () => {
    const { s } = session([answer('expired')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot().state).toBe('expired');
  });

  it("uses the server's clock: a device an hour behind does not matter", async () => {
    const { s, calls } = session(
      [
        {
          body: {
            status: 'pending',
            serverNow: T0 + 3_600_000,
            expiresAt: T0 + 3_600_000 + 60_000,
          },
        },
      ],
      {
        expiresAt: T0 + 3_600_000 + 60_000,
      },
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot().serverOffsetMs).toBe(3_600_000 - 1000);
    expect(s.getSnapshot().state).toBe('pending');
    await vi.advanceTimersByTimeAsync(59_000);
    // The check at expiry happened at the server's expiry, not the device's.
    expect(calls.some((c) => c.at - T0 >= 60_000 - 1000 && c.at - T0 <= 61_000)).toBe(true);
  });

  it('accepts a raw Bakong envelope from a merchant pass-through', () => {
    expect(interpretAnswer(200, { status: 'pending', delayed: true })).toEqual({
      kind: 'status',
      status: 'pending',
      delayed: true,
    });
    expect(interpretAnswer(200, { status: 'pending', delayed: 'yes' })).toEqual({
      kind: 'status',
      status: 'pending',
    });
    expect(interpretAnswer(200, { responseCode: 0, errorCode: null, data: { hash: 'x' } })).toEqual(
      { kind: 'status', status: 'paid' },
    );
    expect(
      interpretAnswer(200, {
        responseCode: 1,
        errorCode: 1,
        responseMessage: 'Transaction could not be found.',
      }),
    ).toEqual({ kind: 'status', status: 'pending' });
    expect(interpretAnswer(200, { responseCode: 1, errorCode: 3 })).toEqual({
      kind: 'status',
      status: 'failed',
    });
    expect(
      interpretAnswer(200, {
        responseCode: 1,
        errorCode: 1,
        responseMessage: 'Transaction failed.',
      }),
    ).toEqual({ kind: 'status', status: 'failed' });
    expect(interpretAnswer(401, { responseCode: 1, errorCode: 6 })).toEqual({ kind: 'transport' });
    expect(interpretAnswer(200, '<html>')).toEqual({ kind: 'transport' });
    expect(
      interpretAnswer(403, { error: { code: 'origin_not_allowed', message: 'no' } }),
    ).toMatchObject({ kind: 'config' });
  });

  it('goes paid from a raw envelope too', async () => {
    const { s } = session([
      { body: { responseCode: 0, responseMessage: 'ok', errorCode: null, data: { hash: 'h' } } },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot().state).toBe('paid');
  });

  it('sends the QR until the proxy accepted it, then the md5 alone', async () => {
    const { calls } = session([pending()], { qr: '000201…' });
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.map((c) => Object.keys(c.body).sort().join())).toEqual(['md5,qr', 'md5']);
  });

  it('drops a stale answer when "check now" overtakes a slow check', async () => {
    const { s } = session([{ body: { status: 'failed' }, delayMs: 5000 }, answer('paid')]);
    await vi.advanceTimersByTimeAsync(1500);
    s.checkNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.getSnapshot().state).toBe('paid');
  });

  it('checks at once when the page returns, the network comes back, or it is restored from the back/forward cache; slower while hidden; not offline', async () => {
    const { environment, emit } = fakeEnvironment();
    const { calls } = session([pending()], { environment });
    await vi.advanceTimersByTimeAsync(1000);
    emit('hidden');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(gaps(calls).slice(-1)).toEqual([15_000]);
    const before = calls.length;
    emit('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(before + 1);
    emit('offline');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(before + 1);
    emit('online');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(before + 2);
    emit('pageshow');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(before + 3);
  });

  it('sends a signal in the body of the one check it starts, never on the timed checks after it', async () => {
    const { calls, s } = session([pending()]);
    await vi.advanceTimersByTimeAsync(1000);
    s.checkNow('paid');
    await vi.advanceTimersByTimeAsync(0);
    s.checkNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.slice(0, 3).map((c) => c.body)).toEqual([
      { md5: MD5 },
      { md5: MD5, signal: 'paid' },
      { md5: MD5 },
    ]);
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter((c) => 'signal' in c.body)).toHaveLength(1);
  });

  it('sends the signal beside a QR not yet accepted', async () => {
    const { calls, s } = session([pending()], { qr: '000201…' });
    s.checkNow('paid');
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.map((c) => c.body)).toEqual([
      { md5: MD5, qr: '000201…', signal: 'paid' },
      { md5: MD5 },
    ]);
  });

  it('hands the signal of an aborted check to the newer one, "paid" winning over "visible"', async () => {
    const slow: Scripted = {
      body: () => ({ status: 'pending', serverNow: Date.now(), expiresAt: T0 + 300_000 }),
      delayMs: 5000,
    };
    const signals = async (first: 'paid' | 'visible', second: 'paid' | 'visible' | undefined) => {
      const { calls, s } = session([pending(), slow, pending()]);
      await vi.advanceTimersByTimeAsync(1000);
      s.checkNow(first);
      await vi.advanceTimersByTimeAsync(100);
      s.checkNow(second);
      await vi.advanceTimersByTimeAsync(10_000);
      s.destroy();
      return calls.map((c) => c.body.signal ?? '-');
    };
    expect((await signals('visible', 'paid')).slice(0, 4)).toEqual(['-', 'visible', 'paid', '-']);
    expect((await signals('paid', 'visible')).slice(0, 4)).toEqual(['-', 'paid', 'paid', '-']);
    expect((await signals('visible', undefined)).slice(0, 4)).toEqual([
      '-',
      'visible',
      'visible',
      '-',
    ]);
    // Two taps before the check starts: one check, 'paid'.
    const { calls, s } = session([pending()]);
    s.checkNow('paid');
    s.checkNow('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.body.signal)).toEqual(['paid']);
  });

  it('does not send a signal again after the signalled check failed', async () => {
    const { calls, s } = session([pending(), 'network-error', pending()]);
    await vi.advanceTimersByTimeAsync(1000);
    s.checkNow('paid');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.map((c) => c.body.signal ?? '-').slice(0, 4)).toEqual(['-', 'paid', '-', '-']);
    expect(s.getSnapshot().reconnecting).toBe(false);
  });

  it('signals "visible" when the page returns or is restored from the back/forward cache; not on coming online nor on timed checks', async () => {
    const { environment, emit } = fakeEnvironment();
    const { calls } = session([pending()], { environment });
    await vi.advanceTimersByTimeAsync(1000);
    emit('hidden');
    await vi.advanceTimersByTimeAsync(20_000);
    const mark = () => calls.length;
    const last = () => calls.at(-1)?.body;
    let before = mark();
    emit('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(mark()).toBe(before + 1);
    expect(last()).toEqual({ md5: MD5, signal: 'visible' });
    emit('offline');
    await vi.advanceTimersByTimeAsync(5000);
    before = mark();
    emit('online');
    await vi.advanceTimersByTimeAsync(0);
    expect(mark()).toBe(before + 1);
    expect(last()).toEqual({ md5: MD5 });
    before = mark();
    emit('pageshow');
    await vi.advanceTimersByTimeAsync(0);
    expect(mark()).toBe(before + 1);
    expect(last()).toEqual({ md5: MD5, signal: 'visible' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.map((c) => c.body.signal ?? '-').filter((x) => x !== '-')).toEqual([
      'visible',
      'visible',
    ]);
  });

  it('starts with the first subscriber and stops with the last', async () => {
    const { calls, unsubscribe, s } = session([pending()]);
    await vi.advanceTimersByTimeAsync(3000);
    unsubscribe();
    const count = calls.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(count);
    const again = s.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.length).toBeGreaterThan(count);
    again();
  });

  it('replaces the snapshot only when something changed', async () => {
    const { s } = session([pending()]);
    const first = s.getSnapshot();
    expect(s.getSnapshot()).toBe(first);
    await vi.advanceTimersByTimeAsync(1000);
    const second = s.getSnapshot();
    expect(second).not.toBe(first);
    expect(Object.isFrozen(second) || second.checks === 1).toBe(true);
  });

  it('lets one tab poll while another follows its answers, and hands over when the first closes', async () => {
    const tabs = fakeTabs();
    const one = session([pending()], { lock: tabs.lock, channel: tabs.channel() });
    const two = session([pending(), answer('paid')], { lock: tabs.lock, channel: tabs.channel() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(one.calls.length).toBeGreaterThan(3);
    expect(two.calls).toHaveLength(0);
    expect(two.s.getSnapshot()).toMatchObject({
      follower: true,
      checks: one.s.getSnapshot().checks,
    });
    one.s.destroy();
    await vi.advanceTimersByTimeAsync(5000);
    expect(two.calls.length).toBeGreaterThan(0);
    expect(two.s.getSnapshot()).toMatchObject({ follower: false, state: 'paid' });
  });

  it('keeps the tab lock after a verdict it shared, so no waiting tab asks again before hearing it', async () => {
    // Answers between tabs arrive a task later, as a BroadcastChannel delivers them.
    const tabs = fakeTabs(5);
    const one = session([pending(), answer('paid')], { lock: tabs.lock, channel: tabs.channel() });
    const two = session([pending()], { lock: tabs.lock, channel: tabs.channel() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(one.s.getSnapshot().state).toBe('paid');
    expect(two.s.getSnapshot().state).toBe('paid');
    expect(two.calls).toHaveLength(0);
    // Unmounted, the lock goes: a tab still waiting for some other checkout is not held up.
    one.unsubscribe();
    const three = session([pending()], { lock: tabs.lock, channel: tabs.channel() });
    await vi.advanceTimersByTimeAsync(2000);
    expect(three.calls.length).toBeGreaterThan(0);
  });

  describe('names a misconfiguration, once on the console', () => {
    const page = (globalThis as { location?: Location }).location;
    /** The endpoint as the page resolves it (a test in Node has no page: as given). */
    const resolved = (endpoint: string) => (page ? new URL(endpoint, page.href).href : endpoint);
    let logged: string[];
    beforeEach(() => {
      logged = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        logged.push(args.join(' '));
      });
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('tells a missing route from a refused QR', () => {
      const missing = { kind: 'config', code: 'endpoint_not_found' };
      // A page's HTML 404, the proxy's own route-not-found, a static server's 405.
      expect(interpretAnswer(404, null)).toMatchObject({ ...missing, status: 404 });
      expect(interpretAnswer(404, '<html>Not Found</html>')).toMatchObject(missing);
      expect(
        interpretAnswer(404, { error: { code: 'not_found', message: 'No such route.' } }),
      ).toMatchObject(missing);
      expect(interpretAnswer(405, { error: { code: 'method_not_allowed' } })).toMatchObject({
        ...missing,
        status: 405,
      });
      expect(interpretAnswer(404, { error: 'Not Found', statusCode: 404 })).toMatchObject(missing);
      // The proxy (or a merchant's own endpoint) refusing this QR stays a refusal of the QR.
      expect(interpretAnswer(404, { error: { code: 'unknown_md5', message: 'm' } })).toEqual({
        kind: 'config',
        code: 'unknown_md5',
        message: 'm',
        status: 404,
      });
      expect(interpretAnswer(404, { error: { code: 'refused_404' } })).toMatchObject({
        code: 'refused_404',
      });
      expect(interpretAnswer(422, null)).toMatchObject({ code: 'http_422' });
    });

    it('a refused origin: the problem with the page origin, polling stopped, one console line', async () => {
      const endpoint = 'https://pay.example/api/khqr/check';
      const { calls, s } = session(
        [
          {
            status: 403,
            body: { error: { code: 'origin_not_allowed', message: 'The origin … may not call' } },
          },
        ],
        { endpoint },
      );
      await vi.advanceTimersByTimeAsync(30_000);
      expect(calls).toHaveLength(1);
      const origin = page?.origin ?? '';
      const snapshot = s.getSnapshot();
      expect(snapshot.problem).toEqual({
        kind: 'origin_not_allowed',
        endpoint,
        origin,
        status: 403,
        detail: `This page's origin (${origin}) is not in the payment server's allowed origins (allowedOrigins, KHQR_ALLOWED_ORIGINS).`,
      });
      // A refusal like any other for what stops; its message is the problem's detail.
      expect(snapshot).toMatchObject({
        state: 'pending',
        reconnecting: false,
        error: { code: 'origin_not_allowed', status: 403, message: snapshot.problem?.detail },
      });
      s.checkNow('paid');
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toHaveLength(1);
      expect(logged).toEqual([`[khqr-checkout] ${snapshot.problem?.detail}`]);
    });

    it.each([
      ['an HTML 404', { status: 404, body: '<!doctype html><h1>Not Found</h1>' }],
      [
        "the proxy's route-not-found",
        { status: 404, body: { error: { code: 'not_found', message: 'No such route.' } } },
      ],
    ] as const)(
      '%s at the endpoint: no payment server there, the URL as the page resolved it',
      async (_, answer) => {
        const { calls, s } = session([answer], { endpoint: '/shop/api/chek' });
        await vi.advanceTimersByTimeAsync(30_000);
        expect(calls).toHaveLength(1);
        const endpoint = resolved('/shop/api/chek');
        expect(s.getSnapshot()).toMatchObject({
          problem: {
            kind: 'endpoint_not_found',
            endpoint,
            status: 404,
            detail: `No payment server at ${endpoint} (404). Check the card's endpoint.`,
          },
          error: { code: 'endpoint_not_found', status: 404 },
        });
        expect(logged).toHaveLength(1);
      },
    );

    it('an unknown md5 is the proxy refusing this QR, not a missing server: no problem', async () => {
      const { s } = session([
        { status: 404, body: { error: { code: 'unknown_md5', message: 'Not known here.' } } },
      ]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(s.getSnapshot()).toMatchObject({ problem: null, error: { code: 'unknown_md5' } });
      expect(logged).toEqual([]);
    });

    it('nothing ever answering: reconnecting, then after 3 failures unreachable; checks go on, the problem goes with the first answer', async () => {
      const { calls, s } = session([
        'network-error',
        'network-error',
        'network-error',
        'network-error',
        'network-error',
        pending(),
      ]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(s.getSnapshot()).toMatchObject({ reconnecting: true, problem: null });
      // Backoff 2 s, then 4 s: the third failure is at 7 s.
      await vi.advanceTimersByTimeAsync(5999);
      expect(calls).toHaveLength(2);
      expect(s.getSnapshot().problem).toBeNull();
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(3);
      const problem = s.getSnapshot().problem;
      expect(problem).toEqual({
        kind: 'unreachable',
        endpoint: resolved('/api/khqr/check'),
        origin: page?.origin ?? '',
        status: 0,
        detail: `Can't reach the payment server at ${resolved('/api/khqr/check')}. Still trying…`,
      });
      expect(s.getSnapshot()).toMatchObject({ state: 'pending', reconnecting: true, error: null });
      // More failures: the same problem (no new snapshot for it, no new console line).
      await vi.advanceTimersByTimeAsync(8000);
      expect(calls).toHaveLength(4);
      expect(s.getSnapshot().problem).toBe(problem);
      expect(logged).toEqual([`[khqr-checkout] ${problem?.detail}`]);
      // Backoff 16 s, then 30 s: the answer comes at 61 s.
      await vi.advanceTimersByTimeAsync(46_000);
      expect(calls).toHaveLength(6);
      expect(s.getSnapshot()).toMatchObject({
        state: 'pending',
        reconnecting: false,
        problem: null,
      });
    });

    /** Something other than the proxy answering: a page (the body does not parse as JSON). */
    const html = (status: number): Scripted => ({ status, body: '<!doctype html><h1>…</h1>' });

    it.each([
      ['a catch-all page answering 200 HTML', [html(200)], 200],
      ['another API answering 200 JSON without a status', [{ body: { ok: true, data: [] } }], 200],
      ['a 500 HTML error page', [html(500)], 500],
      [
        'a gateway with the proxy not running (502, 503, 504 HTML)',
        [html(502), html(503), html(504)],
        504,
      ],
      ['network errors, then a gateway page', ['network-error', 'network-error', html(502)], 502],
    ] as Array<[string, Scripted[], number]>)(
      '%s: not the proxy, so unreachable after 3 in a row, naming what answered; checks go on, a proxy answer ends it',
      async (_, answers, status) => {
        const { calls, s } = session([
          // Five answers that are not the proxy's, then the proxy.
          ...answers,
          ...Array(5 - answers.length).fill(answers.at(-1)),
          pending(),
        ]);
        await vi.advanceTimersByTimeAsync(6999);
        expect(calls).toHaveLength(2);
        expect(s.getSnapshot()).toMatchObject({ reconnecting: true, problem: null });
        await vi.advanceTimersByTimeAsync(1);
        expect(calls).toHaveLength(3);
        const endpoint = resolved('/api/khqr/check');
        const problem = s.getSnapshot().problem;
        expect(problem).toEqual({
          kind: 'unreachable',
          endpoint,
          origin: page?.origin ?? '',
          status,
          detail: `Can't reach the payment server at ${endpoint} (it answered ${status}, not the proxy). Still trying…`,
        });
        // The QR stays payable and checked.
        expect(s.getSnapshot()).toMatchObject({
          state: 'pending',
          reconnecting: true,
          error: null,
        });
        await vi.advanceTimersByTimeAsync(8000);
        expect(calls).toHaveLength(4);
        expect(s.getSnapshot().problem).toBe(problem);
        expect(logged).toEqual([`[khqr-checkout] ${problem?.detail}`]);
        await vi.advanceTimersByTimeAsync(46_000);
        expect(calls).toHaveLength(6);
        expect(s.getSnapshot()).toMatchObject({
          state: 'pending',
          reconnecting: false,
          problem: null,
        });
      },
    );

    it("the proxy's own error envelope (even a 5xx) is an answer: reconnecting, no problem", async () => {
      const { calls, s } = session([
        { status: 503, body: { error: { code: 'store_unavailable', message: 'Not now.' } } },
        'network-error',
        { status: 429, body: { error: { code: 'rate_limited', message: 'Slow down.' } } },
        'network-error',
      ]);
      await vi.advanceTimersByTimeAsync(70_000);
      expect(calls.length).toBeGreaterThan(5);
      expect(s.getSnapshot()).toMatchObject({ reconnecting: true, problem: null });
      expect(logged).toEqual([]);
    });

    it('an endpoint that answered once (even a 5xx) only reconnects when it stops answering, or a gateway answers for it', async () => {
      const proxy503 = { status: 503, body: { error: { code: 'store_unavailable' } } };
      for (const first of [pending(), proxy503] as Scripted[]) {
        const { calls, s, unsubscribe } = session([
          first,
          'network-error',
          html(502),
          html(502),
          'network-error',
          html(504),
          html(200),
        ]);
        await vi.advanceTimersByTimeAsync(70_000);
        expect(calls.length).toBeGreaterThan(5);
        expect(s.getSnapshot()).toMatchObject({ reconnecting: true, problem: null });
        unsubscribe();
      }
      expect(logged).toEqual([]);
    });

    it('a device that went offline is not told the server is missing', async () => {
      const { environment, emit } = fakeEnvironment();
      let asked = 0;
      // Two checks fail at once; the third hangs 1 s, the device goes offline meanwhile, and it
      // fails too.
      const fetch = (async () => {
        if (++asked === 3) await new Promise((resolve) => setTimeout(resolve, 1000));
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof globalThis.fetch;
      const { s } = session([], { environment, fetch });
      await vi.advanceTimersByTimeAsync(3000);
      expect(asked).toBe(2);
      await vi.advanceTimersByTimeAsync(4000);
      expect(asked).toBe(3);
      emit('offline');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(asked).toBe(3);
      expect(s.getSnapshot()).toMatchObject({ reconnecting: true, problem: null });
    });
  });

  it('catches a listener that throws', async () => {
    const { s } = session([answer('paid')]);
    s.subscribe(() => {
      throw new Error('user bug');
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.getSnapshot().state).toBe('paid');
  });
});
