import type { KhqrCurrency } from '@khqr-checkout/khqr';

/** A product of the demo shop, priced in both currencies. */
export interface Product {
  id: string;
  name: string;
  nameKm: string;
  emoji: string;
  /** Whole riel. */
  priceKhr: number;
  /** Cents. */
  priceUsdCents: number;
}

export const PRODUCTS: Product[] = [
  {
    id: 'kampot-pepper',
    name: 'Kampot pepper, 100 g',
    nameKm: 'ម្រេចកំពត',
    emoji: '🌶️',
    priceKhr: 24000,
    priceUsdCents: 600,
  },
  {
    id: 'iced-coffee',
    name: 'Khmer iced coffee',
    nameKm: 'កាហ្វេទឹកកក',
    emoji: '🧋',
    priceKhr: 8000,
    priceUsdCents: 200,
  },
  {
    id: 'krama',
    name: 'Cotton krama scarf',
    nameKm: 'ក្រមា',
    emoji: '🧣',
    priceKhr: 20000,
    priceUsdCents: 500,
  },
  {
    id: 'palm-sugar',
    name: 'Palm sugar, 500 g',
    nameKm: 'ស្ករត្នោត',
    emoji: '🍯',
    priceKhr: 12000,
    priceUsdCents: 300,
  },
  {
    id: 'silk-wallet',
    name: 'Silk wallet',
    nameKm: 'កាបូបសូត្រ',
    emoji: '👛',
    priceKhr: 40000,
    priceUsdCents: 1000,
  },
];

/**
 * Donations the plain page takes, by the bill number its browser-made QR carries: the amount is
 * fixed here, on the server, whatever the QR says.
 */
export const DONATIONS: Record<string, { amountMinor: number; currency: KhqrCurrency }> = {
  DONATION: { amountMinor: 4000, currency: 'KHR' },
};

/** The total of `items` in minor units of `currency`, or an error message. */
export function total(
  items: Array<{ id: string; qty: number }>,
  currency: KhqrCurrency,
): number | string {
  if (!Array.isArray(items) || items.length === 0 || items.length > 20) return 'The cart is empty.';
  let sum = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null) return 'Each item is {id, qty}.';
    const { id, qty } = item;
    const product = PRODUCTS.find((p) => p.id === id);
    if (!product) return `Unknown product ${JSON.stringify(id)}.`;
    if (!Number.isInteger(qty) || qty < 1 || qty > 99) return 'Quantities are 1 to 99.';
    sum += qty * (currency === 'KHR' ? product.priceKhr : product.priceUsdCents);
  }
  return sum;
}
