// A server component: the checkout is made on the server, and the card's first render (its QR as
// SVG) is in the HTML. The page is dynamic: nothing of it runs at build time.
import { connection } from 'next/server';
import { khqrProxy } from '@/lib/khqr';
import { Pay } from './pay';

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
      <Pay qr={checkout.qr} order={order} />
    </main>
  );
}
