// Typings for <khqr-checkout> in JSX (React 19, which hands custom elements their attributes,
// properties and `on<event>` listeners). Opt in once, in any file of the project:
//
//   import type {} from '@khqr-checkout/element/jsx';
//
// This entry imports React's types, so it is separate from `.` and `./define`, which a page
// without React uses.
import type { PollPolicy } from '@khqr-checkout/khqr/session';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { KhqrCheckoutElement } from './element.ts';
import type { KhqrErrorEvent, KhqrEvent } from './events.ts';

/**
 * The attributes of `<khqr-checkout>` as HTML gives them: strings (`amount="1000"`), kebab-case
 * names. `pollPolicy` is a property only.
 */
export interface KhqrCheckoutAttributes {
  /** A KHQR made by the merchant's server (`proxy.createCheckout`): the secure default. */
  qr?: string | undefined;
  /** Or make the KHQR in the browser from these fields. */
  'bakong-account-id'?: string | undefined;
  'merchant-name'?: string | undefined;
  'merchant-city'?: string | undefined;
  /** KHR whole riel or USD with ≤ 2 decimals, e.g. `"1000"` or `"12.50"`. */
  amount?: string | number | undefined;
  currency?: 'KHR' | 'USD' | undefined;
  'bill-number'?: string | undefined;
  'store-label'?: string | undefined;
  'terminal-label'?: string | undefined;
  'mobile-number'?: string | undefined;
  purpose?: string | undefined;
  'merchant-id'?: string | undefined;
  'acquiring-bank'?: string | undefined;
  /** Seconds, ≤ 600 (default 300). */
  lifetime?: string | number | undefined;
  /** The proxy's check URL. */
  endpoint?: string | undefined;
  'deeplink-endpoint'?: string | undefined;
  'renew-endpoint'?: string | undefined;
  lang?: 'km' | 'en' | undefined;
  theme?: 'light' | 'dark' | undefined;
  /** Timing overrides of the checkout session (a property). */
  pollPolicy?: Partial<PollPolicy> | undefined;
}

/** React 19's `on<event>` listeners for the card's events. */
export interface KhqrCheckoutListeners {
  /** Paid, as the proxy reports it. For the UI only: fulfil orders in the proxy's `onPaid`. */
  'onkhqr-success'?: ((event: KhqrEvent) => void) | undefined;
  'onkhqr-failed'?: ((event: KhqrEvent) => void) | undefined;
  'onkhqr-expired'?: ((event: KhqrEvent) => void) | undefined;
  'onkhqr-status'?: ((event: KhqrEvent) => void) | undefined;
  'onkhqr-error'?: ((event: KhqrErrorEvent) => void) | undefined;
  'onkhqr-refresh'?: ((event: KhqrEvent) => void) | undefined;
}

/** Everything `<khqr-checkout>` takes in React JSX: the HTML element's props, its attributes, its events. */
export type KhqrCheckoutJsxProps = Omit<
  DetailedHTMLProps<HTMLAttributes<KhqrCheckoutElement>, KhqrCheckoutElement>,
  'lang'
> &
  KhqrCheckoutAttributes &
  KhqrCheckoutListeners;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'khqr-checkout': KhqrCheckoutJsxProps;
    }
  }
}
