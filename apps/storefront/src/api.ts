import { fromMinorUnits, type KhqrCurrency } from '@khqr-checkout/khqr';
import { CURRENCY_MARK, formatMoney } from '@khqr-checkout/khqr/card';
// The server's own types: one definition of a product and an order for both sides.
import type { Product } from '../server/catalogue.ts';
import type { PublicOrder as Order } from '../server/orders.ts';

export type { Order, Product };

export interface Config {
  merchantAccount: string;
  merchantName: string;
  bankAppUrl: string | null;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = await response.json();
  if (!response.ok)
    throw new Error((body as { error?: string }).error ?? `HTTP ${response.status}`);
  return body as T;
}

export const api = {
  products: () => call<Product[]>('/api/products'),
  config: () => call<Config>('/api/config'),
  orders: () => call<Order[]>('/api/orders'),
  order: (id: string) => call<Order>(`/api/orders/${id}`),
  createOrder: (items: Array<{ id: string; qty: number }>, currency: KhqrCurrency) =>
    call<Order>('/api/orders', { method: 'POST', body: JSON.stringify({ items, currency }) }),
};

/** Money for people, with the card's formatting: "48,000 ៛", "$12.50". */
export const money = (minor: number, currency: KhqrCurrency) => {
  const amount = formatMoney(fromMinorUnits(minor, currency), currency);
  return currency === 'KHR' ? `${amount} ${CURRENCY_MARK.KHR}` : `${CURRENCY_MARK.USD}${amount}`;
};

/**
 * The order's lines for people, from the catalogue: "2 × Kampot pepper, 100 g". The order book
 * keeps product ids; a product the catalogue no longer has shows by its id.
 */
export function orderLines(
  order: Pick<Order, 'kind' | 'items'>,
  products: readonly Pick<Product, 'id' | 'name'>[],
): string[] {
  if (order.kind === 'donation') return ['Donation to the temple fund'];
  return order.items.map(
    (item) => `${item.qty} × ${products.find((p) => p.id === item.id)?.name ?? item.id}`,
  );
}
