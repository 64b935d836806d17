import {
  type CheckoutSession,
  createCheckoutSession,
  idleSnapshot,
  type PollPolicy,
  pageTabs,
  type SessionProblem,
  type SessionState,
} from '@khqr-checkout/khqr/session';
import { type QueryClient, QueryClientContext } from '@tanstack/react-query';
import { useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
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
  /**
   * Where the payment's snapshot is mirrored, under `['khqr-checkout', endpoint, md5]`, so other
   * components can read it with `useQuery`. @default the surrounding QueryClientProvider's, if any
   */
  queryClient?: QueryClient | undefined;
}

/** What the payment looks like now. */
export interface KhqrPayment {
  state: SessionState;
  /** Checks are failing for transport reasons; the state still holds. */
  reconnecting: boolean;
  /** The server confirms payments later (Bakong cannot be asked now); the QR stays payable. */
  delayed: boolean;
  /** The proxy refuses this checkout (unknown md5, invalid QR): polling stopped. */
  error: { code: string; message: string; status: number } | null;
  /**
   * A misconfiguration (the proxy refuses this page's origin, no proxy at the endpoint) or a
   * payment server that never answered; `strings.problem(problem)` from the card says it.
   */
  problem: SessionProblem | null;
  serverOffsetMs: number;
  expiresAt: number;
  /** When it was paid (server clock, ms), for a receipt; null until paid. */
  paidAt: number | null;
  /** Milliseconds left on the server's clock. */
  remainingMs: number;
  /** The proxy has answered at least once (so it knows the md5). */
  answered: boolean;
  /** Check now (the "I've paid" button): the check carries `signal: 'paid'`. */
  checkNow(): void;
}

/**
 * Watches a KHQR's payment through the proxy with the core's checkout session, the engine of
 * `<khqr-checkout>` too (`useSyncExternalStore` over `createCheckoutSession`, as TanStack Query's
 * adapters ride its core): the same polling rhythm, expiry and grace, signals ("I've paid", a
 * page visible again), reconnecting and refusals, one polling tab per checkout. The snapshot is
 * mirrored into the QueryClient for other components. Nothing is fetched during server rendering.
 * @example const payment = useKhqrPayment({ md5, expiresAt, endpoint: '/api/khqr/check' });
 */
export function useKhqrPayment(options: UseKhqrPaymentOptions): KhqrPayment {
  const { md5, expiresAt, endpoint, qr } = options;
  const enabled = (options.enabled ?? true) && Boolean(endpoint);
  const policyKey = JSON.stringify(options.policy ?? {});
  const doFetch = options.fetch;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the policy's serialized key is the dependency.
  const session = useMemo<CheckoutSession | null>(() => {
    if (!enabled) return null;
    const tabs = typeof window === 'undefined' ? { lock: null, channel: null } : pageTabs();
    return createCheckoutSession({
      md5,
      expiresAt,
      endpoint,
      ...(qr ? { qr } : {}),
      ...(doFetch ? { fetch: doFetch } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...tabs,
    });
  }, [enabled, md5, expiresAt, endpoint, qr, doFetch, policyKey]);
  // Polling starts with the first subscriber and stops with the last (StrictMode's double
  // mount included); an unused session is left to the garbage collector.
  const idle = useMemo(() => idleSnapshot(md5, expiresAt), [md5, expiresAt]);
  const subscribe = useMemo(
    () => (session ? session.subscribe.bind(session) : () => () => undefined),
    [session],
  );
  const snapshot = useSyncExternalStore(
    subscribe,
    () => session?.getSnapshot() ?? idle,
    () => idle,
  );

  const context = useContext(QueryClientContext);
  const client = options.queryClient ?? context;
  useEffect(() => {
    client?.setQueryData(['khqr-checkout', endpoint, md5], snapshot);
  }, [client, endpoint, md5, snapshot]);

  const remainingMs = useKhqrCountdown(snapshot.expiresAt, snapshot.serverOffsetMs);
  const state: SessionState = snapshot.state === 'idle' ? 'pending' : snapshot.state;
  return {
    state,
    reconnecting: snapshot.reconnecting,
    delayed: snapshot.delayed && state === 'pending',
    error: snapshot.error,
    problem: snapshot.problem,
    serverOffsetMs: snapshot.serverOffsetMs,
    expiresAt: snapshot.expiresAt,
    paidAt: snapshot.paidAt,
    remainingMs,
    answered: snapshot.checks > 0,
    checkNow: () => session?.checkNow('paid'),
  };
}
