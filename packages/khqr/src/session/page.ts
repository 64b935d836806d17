import { CHECKOUT_FIELDS, type CheckoutFields } from './checkout-input.ts';
import type { SessionChannel } from './checkout-session.ts';

/**
 * What makes one checkout polled by one tab of a browser: an exclusive Web Lock per md5 (the
 * other tabs follow) and a BroadcastChannel sharing its answers; null where the page has neither.
 */
export function pageTabs(): {
  lock: ((name: string) => Promise<() => void>) | null;
  channel: SessionChannel | null;
} {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  const lock = locks
    ? (name: string) =>
        new Promise<() => void>((resolve) => {
          void locks.request(name, () => new Promise<void>((release) => resolve(release)));
        })
    : null;
  if (typeof BroadcastChannel !== 'function') return { lock: null, channel: null };
  const bc = new BroadcastChannel('khqr-checkout');
  return {
    lock,
    channel: {
      post: (message) => bc.postMessage(message),
      subscribe(callback) {
        const listener = (e: MessageEvent) => callback(e.data);
        bc.addEventListener('message', listener);
        return () => bc.removeEventListener('message', listener);
      },
    },
  };
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The storage key of a card's fields: the fields themselves (a few hundred bytes at most). */
const key = (fields: CheckoutFields) =>
  `khqr-checkout:v2:${JSON.stringify(CHECKOUT_FIELDS.map((k) => fields[k] ?? ''))}`;

/**
 * The QR this tab made for these fields, while it is payable: a reload shows the same QR (the
 * customer may have paid it), never a new one that invites paying twice.
 */
export function keptQr(fields: CheckoutFields): string | null {
  try {
    const saved = JSON.parse(storage()?.getItem(key(fields)) ?? 'null') as {
      qr?: string;
      expiresAt?: number;
    } | null;
    return saved?.qr && (saved.expiresAt ?? 0) > Date.now() ? saved.qr : null;
  } catch {
    return null;
  }
}

/** Keeps a QR made in the browser for a reload of this tab (sessionStorage). */
export function keepQr(fields: CheckoutFields, qr: string, expiresAt: number): void {
  try {
    storage()?.setItem(key(fields), JSON.stringify({ qr, expiresAt }));
  } catch {
    // A full or blocked storage only loses the reload's resume.
  }
}
