// The merchant's proxy, as the proxy's README sets it up (no store or ledger option: the embedded
// ledger in KHQR_DATA_DIR), made once per process when the server starts (instrumentation.ts) or
// on first use, never at import, for two reasons:
// - `next build` evaluates the route handler's module ("Collecting page data"): a proxy made at
//   import would need BAKONG_TOKEN at build time and open the ledger on the build machine;
// - Next bundles this module once for the route handler and once more for the pages, and runs
//   both copies in one server process: two proxies would each open the one data directory, and a
//   checkout the page makes after the route's proxy opened would be unknown to the route.
import { createKhqrProxy, type KhqrProxy, type PaidEvent } from '@khqr-checkout/proxy';

const KEY = Symbol.for('khqr-consumer.proxy');
const shared = globalThis as typeof globalThis & { [KEY]?: KhqrProxy };

/** The proxy of this server process. */
export function khqrProxy(): KhqrProxy {
  shared[KEY] ??= make();
  return shared[KEY];
}

function make(): KhqrProxy {
  const token = process.env.BAKONG_TOKEN;
  const baseUrl = process.env.BAKONG_BASE_URL;
  if (!token || !baseUrl) throw new Error('Set BAKONG_TOKEN and BAKONG_BASE_URL.');
  /** Payments fulfilled, by event id: each marked once, whatever number of times it comes. */
  const fulfilled = new Map<string, PaidEvent>();
  return createKhqrProxy({
    bakong: { token, baseUrl },
    merchant: { accounts: ['shop@test'], name: 'Consumer Shop', city: 'Phnom Penh' },
    allowedOrigins: (process.env.KHQR_ALLOWED_ORIGINS ?? 'http://localhost:*').split(','),
    basePath: '/api/khqr',
    onPaid: async (event) => {
      if (fulfilled.has(event.id)) return;
      fulfilled.set(event.id, event);
      console.log(
        `PAID order=${event.orderId ?? '-'} amount=${event.amountMinor} ${event.currency}`,
      );
    },
  });
}
