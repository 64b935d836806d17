import { khqrMd5 } from '@khqr-checkout/khqr';
import { requestCheckout } from '@khqr-checkout/khqr/session';
import { type QueryClient, QueryClientContext, useMutation, useQuery } from '@tanstack/react-query';
import { useContext } from 'react';

/** Options of {@link useKhqrCheckout}. */
export interface UseKhqrCheckoutOptions {
  /**
   * The merchant's endpoint for this page's checkout. `POST` with `body` answers the order's open
   * checkout as `{qr}` (or `{checkout: {qr}}`), making one when it has none, so a reload shows the
   * QR the customer may have paid; "New QR" posts `{...body, md5}` of the QR it replaces, when that
   * one is expired or failed, and gets a new one.
   */
  endpoint: string;
  /** The JSON the endpoint needs, e.g. `{orderId}`; part of the query key. */
  body?: Record<string, unknown> | undefined;
  /** @default true */
  enabled?: boolean | undefined;
  /** @default the surrounding QueryClientProvider's */
  queryClient?: QueryClient | undefined;
  /** @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

/** A server-made checkout of the merchant's, and a way to renew it. */
export interface KhqrCheckoutQuery {
  /** The QR to give `<KhqrCheckout qr>`, once the endpoint answered. */
  qr: string | undefined;
  md5: string | undefined;
  /** The first QR is being asked for. */
  isPending: boolean;
  /** The endpoint refused or could not be reached (after retries of what may pass later). */
  error: Error | null;
  /** Asks for a new QR: give it to `<KhqrCheckout onRefresh>`. */
  renew(): void;
  isRenewing: boolean;
  renewError: Error | null;
}

/** The QueryClient key of a checkout's QR: `['khqr-checkout', 'qr', endpoint, body]`. */
export const khqrCheckoutKey = (endpoint: string, body: Record<string, unknown> = {}) =>
  ['khqr-checkout', 'qr', endpoint, body] as const;

/**
 * Creates (or resumes) and renews a server-made checkout against the merchant's endpoint, with
 * react-query: cached under {@link khqrCheckoutKey}, asked once (not again on focus or remount),
 * retried on network errors and 5xx only.
 * @example
 * const checkout = useKhqrCheckout({ endpoint: '/api/checkout', body: { orderId } });
 * if (checkout.qr) return <KhqrCheckout qr={checkout.qr} endpoint="/api/khqr/check" onRefresh={checkout.renew} />;
 */
export function useKhqrCheckout(options: UseKhqrCheckoutOptions): KhqrCheckoutQuery {
  const { endpoint, body = {} } = options;
  const context = useContext(QueryClientContext);
  const client = options.queryClient ?? context;
  if (!client)
    throw new Error('useKhqrCheckout needs a QueryClient: a QueryClientProvider or queryClient.');
  const key = khqrCheckoutKey(endpoint, body);
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const query = useQuery(
    {
      queryKey: key,
      queryFn: () => requestCheckout(endpoint, body, doFetch),
      enabled: options.enabled ?? true,
      staleTime: Number.POSITIVE_INFINITY,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      retry: (failures, error) =>
        failures < 3 && ((error as { status?: number }).status ?? 500) >= 500,
    },
    client,
  );
  const md5 = query.data ? khqrMd5(query.data) : undefined;
  const renewal = useMutation(
    {
      mutationFn: () => requestCheckout(endpoint, { ...body, ...(md5 ? { md5 } : {}) }, doFetch),
      onSuccess: (qr) => client.setQueryData(key, qr),
    },
    client,
  );
  return {
    qr: query.data,
    md5,
    isPending: query.isPending && query.fetchStatus !== 'idle',
    error: query.error,
    renew: () => {
      if (!renewal.isPending) renewal.mutate();
    },
    isRenewing: renewal.isPending,
    renewError: renewal.error,
  };
}
