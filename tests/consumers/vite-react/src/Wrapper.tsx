// A merchant's wrapper passing its own optional props on: under exactOptionalPropertyTypes an
// explicit `undefined` must be accepted by the card's props and the hook's options.
import { KhqrCheckout, useKhqrCheckout } from '@khqr-checkout/react';

export interface ShopCardProps {
  orderId?: string;
  nonce?: string;
  lang?: 'km' | 'en';
  onPaid?: () => void;
}

export function ShopCard({ orderId, nonce, lang, onPaid }: ShopCardProps) {
  const checkout = useKhqrCheckout({
    endpoint: `/orders/${orderId ?? 'new'}/checkout`,
    body: orderId ? { orderId } : undefined,
    enabled: orderId !== undefined,
  });
  return (
    <KhqrCheckout
      qr={checkout.qr ?? undefined}
      endpoint="/api/khqr/check"
      nonce={nonce}
      lang={lang}
      onSuccess={onPaid}
      renewEndpoint={undefined}
    />
  );
}
