'use client';

// <khqr-checkout> in React 19 JSX, typed by @khqr-checkout/element/jsx; the element's ES module
// defines it in the browser (and is harmless in the server render of this client component).
import '@khqr-checkout/element/define';
import type { KhqrCheckoutElement, KhqrEvent } from '@khqr-checkout/element';
import type {} from '@khqr-checkout/element/jsx';
import { useState } from 'react';

export function ElementCard({ qr }: { qr: string }) {
  const [paid, setPaid] = useState(false);
  // The listener is added with a ref, not `onkhqr-success`: React 19 does not attach a custom
  // element's `on<event>` props when it hydrates server-rendered HTML (only on a later render).
  const listen = (card: KhqrCheckoutElement | null) => {
    const onSuccess = (event: KhqrEvent) => {
      if (event.detail.state === 'paid') setPaid(true);
    };
    card?.addEventListener('khqr-success', onSuccess);
    return () => card?.removeEventListener('khqr-success', onSuccess);
  };
  return (
    <div data-paid={paid ? 'yes' : 'no'}>
      <khqr-checkout ref={listen} qr={qr} endpoint="/api/khqr/check" lang="en" theme="light">
        <a slot="continue" href="/orders">
          Continue
        </a>
      </khqr-checkout>
      {/* @ts-expect-error: lang is km or en, the typings catch a typo */}
      <khqr-checkout qr={qr} lang="fr" hidden />
    </div>
  );
}
