// <khqr-checkout> in React 19 JSX, typed by @khqr-checkout/element/jsx.
import '@khqr-checkout/element/define';
import type { KhqrEvent } from '@khqr-checkout/element';
import type {} from '@khqr-checkout/element/jsx';

export function ElementCard({ qr, onPaid }: { qr: string; onPaid: () => void }) {
  const card = document.querySelector('khqr-checkout'); // HTMLElementTagNameMap knows the tag
  void card?.check;
  return (
    <>
      <khqr-checkout
        qr={qr}
        endpoint="/api/khqr/check"
        lang="en"
        theme="light"
        amount="1000"
        lifetime="300"
        onkhqr-success={(event: KhqrEvent) => {
          if (event.detail.state === 'paid') onPaid();
        }}
      >
        <a slot="continue" href="/orders/1">
          Continue
        </a>
      </khqr-checkout>
      {/* @ts-expect-error: lang is km or en, the typings catch a typo */}
      <khqr-checkout qr={qr} lang="fr" hidden />
      {/* @ts-expect-error: no such attribute */}
      <khqr-checkout qr={qr} endpont="/api/khqr/check" hidden />
    </>
  );
}
