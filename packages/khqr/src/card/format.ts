import type { KhqrCurrency } from '../amount.ts';

/** The currency mark in the QR's centre. */
export const CURRENCY_MARK: Record<KhqrCurrency, string> = { KHR: '៛', USD: '$' };

/** An amount for people: riel with no decimals, dollars with two, thousands grouped. */
export function formatMoney(amount: string | number, currency: KhqrCurrency): string {
  const value = Number(amount);
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: currency === 'KHR' ? 0 : 2,
    maximumFractionDigits: currency === 'KHR' ? 0 : 2,
  }).format(value);
}

/** mm:ss of a duration (never negative). */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
