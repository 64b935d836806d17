import {
  type CheckSignal,
  DEFAULT_POLICY,
  interpretAnswer,
  nextPollDelay,
  type PollPolicy,
  type SessionState,
} from '@khqr-checkout/khqr/session';
import { QueryClient, QueryClientContext, useQuery } from '@tanstack/react-query';
import { useContext, useEffect, useRef, useState } from 'react';
import { useKhqrCountdown } from './useKhqrCountdown.ts';

/** Options of {@link useKhqrPayment}. */
export interface UseKhqrPaymentOptions {
  md5: string;
  /** The QR's expiry (tag 99), ms. */
  expiresAt: number;
  /** The proxy's check URL. */
  endpoint: string;
  /** Sent until the proxy accepted it: a QR generated in the browser. */
  qr?: string | undefined;
  /** @default true */
  enabled?: boolean;
  policy?: Partial<PollPolicy> | undefined;
  /** @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** @default the one of the surrounding QueryClientProvider, or a private one */
  queryClient?: QueryClient | undefined;
}

/** What the payment looks like now. */
export interface KhqrPayment {
  state: SessionState;
  /** Checks are failing for transport reasons; the state still holds. */
  reconnecting: boolean;
  /** The server confirms payments later today (Bakong's quota is spent); the QR stays payable. */
  delayed: boolean;
  /** The proxy refuses this checkout (unknown md5, invalid QR): polling stopped. */
  error: { code: string; message: string; status: number } | null;
  serverOffsetMs: number;
  expiresAt: number;
  /** Milliseconds left on the server's clock. */
  remainingMs: number;
  /** The proxy has answered at least once (so it knows the md5). */
  answered: boolean;
  /**
   * Check now: the "I've paid" button. That check's body carries `signal: 'paid'` (the proxy asks
   * Bakong at once). It takes no argument, so `onClick={payment.checkNow}` works; the page
   * becoming visible again checks with `signal: 'visible'` by itself.
   */
  checkNow(): void;
}

class TransportError extends Error {
  constructor(readonly retryAfterMs: number | undefined) {
    super('transport');
  }
}
class ConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Checked {
  status: 'pending' | 'paid' | 'failed' | 'expired';
  serverOffsetMs: number;
  expiresAt: number;
  delayed: boolean;
}

let fallbackClient: QueryClient | undefined;
const TERMINAL = ['paid', 'failed', 'expired'];

/**
 * Polls the proxy for a KHQR's payment status with @tanstack/react-query, on the checkout
 * session's rules: its `refetchInterval` and `retryDelay` are the core's `nextPollDelay`, its
 * answers read by the core's `interpretAnswer`; focus and reconnect refetch at once. Works inside
 * the merchant's QueryClientProvider or without one. Nothing is fetched during server rendering.
 * @example const payment = useKhqrPayment({ md5, expiresAt, endpoint: '/api/khqr/check' });
 */
export function useKhqrPayment(options: UseKhqrPaymentOptions): KhqrPayment {
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const context = useContext(QueryClientContext);
  fallbackClient ??= new QueryClient();
  const client = options.queryClient ?? context ?? fallbackClient;
  const started = useRef(Date.now());
  const accepted = useRef(false);
  // The signal the next check carries ('paid' wins), until a check carrying it settles unaborted.
  const pending = useRef<CheckSignal | undefined>(undefined);
  // Asks for a check now with a signal; reassigned on every render to see the current state.
  const nudge = useRef<(signal: CheckSignal) => void>(() => {});
  // react-query re-reads refetchInterval on every render and restarts its timer whenever the
  // value differs; a jittered delay must therefore be drawn once per answer, not per render.
  const nextDelay = useRef<{ key: string; ms: number }>({ key: '', ms: 0 });
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setReady(true), policy.firstDelayMs);
    return () => clearTimeout(timer);
  }, [policy.firstDelayMs]);
  const doFetch =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const { md5, qr, endpoint } = options;

  const query = useQuery<Checked, Error>(
    {
      queryKey: ['khqr-checkout', endpoint, md5],
      enabled: (options.enabled ?? true) && ready,
      queryFn: async ({ signal }) => {
        const sentAt = Date.now();
        const sent = pending.current;
        const response = await doFetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // Undefined fields are left out: `{md5}`, plus `qr` until accepted, plus `signal` once.
          body: JSON.stringify({ md5, qr: accepted.current ? undefined : qr, signal: sent }),
          signal,
          credentials: 'same-origin',
        }).catch(() => null);
        // Sent once (also when the check failed); a check cancelled by a newer one hands it on.
        if (!signal.aborted && pending.current === sent) pending.current = undefined;
        if (!response) throw new TransportError(undefined);
        const answer = interpretAnswer(
          response.status,
          await response.json().catch(() => null),
          response.headers.get('retry-after'),
        );
        if (answer.kind === 'transport') throw new TransportError(answer.retryAfterMs);
        if (answer.kind === 'config')
          throw new ConfigError(answer.code, answer.message, answer.status);
        accepted.current = true;
        return {
          status: answer.status,
          serverOffsetMs:
            answer.serverNow === undefined
              ? 0
              : Math.round(answer.serverNow - (sentAt + Date.now()) / 2),
          expiresAt: answer.expiresAt ?? options.expiresAt,
          delayed: answer.delayed === true,
        };
      },
      retry: (_count, error) => error instanceof TransportError,
      retryDelay: (count, error) =>
        nextPollDelay(
          {
            sinceStartMs: Date.now() - started.current,
            failures: count + 1,
            hidden: false,
            untilExpiryMs: 0,
            ...(error instanceof TransportError && error.retryAfterMs !== undefined
              ? { retryAfterMs: error.retryAfterMs }
              : {}),
          },
          policy,
        ),
      refetchInterval: (q) => {
        const data = q.state.data;
        if (q.state.error instanceof ConfigError || (data && TERMINAL.includes(data.status)))
          return false;
        const serverNow = Date.now() + (data?.serverOffsetMs ?? 0);
        const expiresAt = data?.expiresAt ?? options.expiresAt;
        // Past the grace period polling stops, unless the server could not ask Bakong yet.
        if (serverNow > expiresAt + policy.graceMs && !data?.delayed) return false;
        const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
        const key = `${q.state.dataUpdatedAt}:${q.state.errorUpdatedAt}:${hidden}`;
        if (nextDelay.current.key !== key) {
          nextDelay.current = {
            key,
            ms: nextPollDelay(
              {
                sinceStartMs: Date.now() - started.current,
                failures: 0,
                hidden,
                untilExpiryMs: expiresAt - serverNow,
              },
              policy,
            ),
          };
        }
        return nextDelay.current.ms;
      },
      refetchIntervalInBackground: true,
      refetchOnWindowFocus: (q) => !(q.state.data && TERMINAL.includes(q.state.data.status)),
      refetchOnReconnect: (q) => !(q.state.data && TERMINAL.includes(q.state.data.status)),
      staleTime: 0,
    },
    client,
  );

  useEffect(() => {
    // A page visible again (visibilitychange), or restored from the back/forward cache (pageshow
    // persisted), checks with 'visible'. react-query refetches on focus only inside a mounted
    // QueryClientProvider and never on pageshow; its focus refetch, if any, joins this check.
    const visible = (event: Event) =>
      ((event as PageTransitionEvent).persisted ?? document.visibilityState === 'visible') &&
      nudge.current('visible');
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('pageshow', visible);
    return () => {
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('pageshow', visible);
    };
  }, []);

  const data = query.data;
  const serverOffsetMs = data?.serverOffsetMs ?? 0;
  const expiresAt = data?.expiresAt ?? options.expiresAt;
  const remainingMs = useKhqrCountdown(expiresAt, serverOffsetMs);
  const config = query.error instanceof ConfigError ? query.error : null;
  let state: SessionState = data?.status ?? 'pending';
  // Past the grace period with nothing but "not found": the QR can no longer be paid (while the
  // server could not ask Bakong, `delayed`, a payment may have come: it confirms later).
  if (
    state === 'pending' &&
    !data?.delayed &&
    remainingMs === 0 &&
    Date.now() + serverOffsetMs > expiresAt + policy.graceMs
  )
    state = 'expired';
  nudge.current = (signal) => {
    if (TERMINAL.includes(state) || config || options.enabled === false) return;
    pending.current = signal === 'paid' ? signal : (pending.current ?? signal);
    void query.refetch();
  };
  return {
    state,
    reconnecting: query.failureCount > 0 && !config && !TERMINAL.includes(state),
    delayed: data?.delayed === true && state === 'pending',
    error: config ? { code: config.code, message: config.message, status: config.status } : null,
    serverOffsetMs,
    expiresAt,
    remainingMs,
    answered: data !== undefined,
    checkNow: () => nudge.current('paid'),
  };
}
