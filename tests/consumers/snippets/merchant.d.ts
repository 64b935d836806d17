// The merchant's own app around the README snippets: the names a snippet takes from the shop it is
// pasted into (its orders, router, operators, the proxy made "as above") rather than from a
// package. Typed as a real shop would type them, so a snippet that misuses one fails to compile
// as it would in the merchant's code. Only names; no package is declared here.

/** An order of the shop, as its database keeps it. */
interface Order {
  id: string;
  /** What the order costs in major units, as the shop shows it: `'12.50'`. */
  total: string;
  /** The same in minor units (cents, riel), as the proxy's paid event counts it. */
  totalMinor: number;
  currency: 'KHR' | 'USD';
  paid: boolean;
}

/** The shop's orders. */
declare const orders: {
  /** The order with this id, or `undefined` when there is none. */
  get(id: string): Promise<Order | undefined>;
  /**
   * Marks the order paid in one transaction that also records `eventId` under a unique key; does
   * nothing when `eventId` is already recorded (the proxy delivers at least once).
   */
  markPaidOnce(
    orderId: string,
    eventId: string,
    amountMinor?: number,
    currency?: 'KHR' | 'USD',
  ): Promise<void>;
};

/** Where the shop's operators hear about trouble (a chat channel, a pager). */
declare const ops: { notify(alert: import('@khqr-checkout/proxy').ProxyAlert): Promise<void> };

/** The shop's thank-you screen, for the paid QR. */
declare function showThanks(md5: string): void;
/** The client-side router's navigate (React Router's `useNavigate()`). */
declare function navigate(to: string): void;
/** Next.js's `useRouter()`. */
declare const router: { push(href: string): void };
/** Asks the shop's server for a new checkout (react-query's `refetch`). */
declare function refetchCheckout(): Promise<unknown>;

/** The proxy made as the README shows above (`createKhqrProxy({...})`), in "as above" snippets. */
declare const proxy: import('@khqr-checkout/proxy').KhqrProxy;
/** The options it was made with, for snippets that add one to them (`{ ...options, store }`). */
declare const options: import('@khqr-checkout/proxy').KhqrProxyOptions;
/** A KHQR payload the shop has (made by the proxy, or read from a camera). */
declare const qr: string;
/** Text a camera read from a QR code. */
declare const scannedText: string;

/** A Next.js app's `lib/khqr.ts` (imported as `@/lib/khqr`, its README block): the proxy, once per server. */
declare module '@/lib/khqr' {
  export function khqrProxy(): import('@khqr-checkout/proxy').KhqrProxy;
}
