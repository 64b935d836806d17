import { KhqrCheckout, useKhqrCheckout } from '@khqr-checkout/react';
import { useState } from 'react';
import { ElementCard } from './ElementCard';

/** The order's checkout: the QR from the merchant's server, the card polling the proxy. */
export function App() {
  const params = new URLSearchParams(location.search);
  const orderId = params.get('order') ?? '1';
  const checkout = useKhqrCheckout({ endpoint: `/orders/${orderId}/checkout` });
  const [paid, setPaid] = useState(false);
  if (checkout.error) return <p role="alert">{checkout.error.message}</p>;
  if (!checkout.qr) return <p>Loading…</p>;
  return (
    <main data-paid={paid ? 'yes' : 'no'}>
      {params.get('card') === 'element' ? (
        <ElementCard qr={checkout.qr} onPaid={() => setPaid(true)} />
      ) : (
        <KhqrCheckout
          qr={checkout.qr}
          endpoint="/api/khqr/check"
          lang="en"
          onSuccess={() => setPaid(true)}
          onRefresh={checkout.renew}
          continueSlot={<a href={`/orders/${orderId}`}>Continue</a>}
        />
      )}
    </main>
  );
}
