// The merchant's proxy, as the proxy's README sets it up: no store or ledger option (the
// embedded ledger in KHQR_DATA_DIR), orders fulfilled in onPaid.
import { createKhqrProxy, type PaidEvent } from '@khqr-checkout/proxy';

const token = process.env.BAKONG_TOKEN;
const baseUrl = process.env.BAKONG_BASE_URL;
if (!token || !baseUrl) throw new Error('Set BAKONG_TOKEN and BAKONG_BASE_URL.');

/** Orders fulfilled, by order id: marked once, whatever number of times an event comes. */
export const fulfilled = new Map<string, PaidEvent>();

export const proxy = createKhqrProxy({
  bakong: { token, baseUrl },
  merchant: { accounts: ['shop@test'], name: 'Consumer Shop', city: 'Phnom Penh' },
  allowedOrigins: [process.env.SHOP_ORIGIN ?? 'http://127.0.0.1:*'],
  basePath: '/api/khqr',
  onPaid: async (event) => {
    if (fulfilled.has(event.id)) return;
    fulfilled.set(event.id, event);
    console.log(`PAID order=${event.orderId ?? '-'} amount=${event.amountMinor} ${event.currency}`);
  },
});

/** The merchant's "pay this order" endpoint: a server-made QR for the order's total. */
export async function checkoutFor(orderId: string) {
  return proxy.createCheckout({ amount: '12.50', currency: 'USD', orderId });
}
