// The same checkout with the custom element <khqr-checkout> in JSX (React 19 custom elements).
import { connection } from 'next/server';
import { khqrProxy } from '@/lib/khqr';
import { ElementCard } from './card';

export default async function Page({ params }: { params: Promise<{ order: string }> }) {
  await connection();
  const { order } = await params;
  const checkout = await khqrProxy().createCheckout({
    amount: '12.50',
    currency: 'USD',
    orderId: order,
  });
  return (
    <main>
      <h1>Order {order}</h1>
      <ElementCard qr={checkout.qr} />
    </main>
  );
}
