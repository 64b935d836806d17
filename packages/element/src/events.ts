import type { KhqrCurrency } from '@khqr-checkout/khqr';
import type { SessionState } from '@khqr-checkout/khqr/session';

/** The `detail` of every khqr-* event. */
export interface KhqrEventDetail {
  md5: string;
  /** As written in the QR, e.g. `"12.50"`. */
  amount: string;
  currency: KhqrCurrency;
  state: SessionState;
  expiresAt: number;
}

/** The `detail` of `khqr-error`. */
export interface KhqrErrorDetail {
  /** `config`: the attributes or the proxy refuse this checkout; `transport`: checks are failing for now. */
  kind: 'config' | 'transport';
  code: string;
  message: string;
  md5: string | null;
}

export type KhqrEvent = CustomEvent<KhqrEventDetail>;
export type KhqrErrorEvent = CustomEvent<KhqrErrorDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    /** Paid, as the proxy reports it. For the UI only: fulfil orders in the proxy's onPaid. */
    'khqr-success': KhqrEvent;
    'khqr-failed': KhqrEvent;
    'khqr-expired': KhqrEvent;
    /** Every state change. */
    'khqr-status': KhqrEvent;
    'khqr-error': KhqrErrorEvent;
    /** Cancelable: a server-generated QR expired and "new QR" was asked for; set a new `qr`. */
    'khqr-refresh': KhqrEvent;
  }
}
