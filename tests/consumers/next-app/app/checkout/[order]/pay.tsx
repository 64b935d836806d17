'use client';

import { KhqrCheckout } from '@khqr-checkout/react';
import { useState } from 'react';

export function Pay({ qr, order }: { qr: string; order: string }) {
  const [paid, setPaid] = useState(false);
  return (
    <div data-paid={paid ? 'yes' : 'no'}>
      <KhqrCheckout
        qr={qr}
        endpoint="/api/khqr/check"
        lang="en"
        onSuccess={() => setPaid(true)}
        continueSlot={<a href={`/orders/${order}`}>Continue</a>}
      />
    </div>
  );
}
