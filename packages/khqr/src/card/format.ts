import type { KhqrCurrency } from '../amount.ts';
import type { KhqrData } from '../decode.ts';

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

/** When a payment was paid, for the receipt, in the card's language and the device's time zone. */
export function formatPaidAt(ms: number, lang: string | null | undefined): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'km-KH', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(ms);
}

/**
 * The receipt's reference: the bill number (the merchant's order number) when the QR has one,
 * else the start of the md5, which the shop's order system also records.
 */
export const receiptReference = (data: Pick<KhqrData, 'billNumber'>, md5: string): string =>
  data.billNumber || md5.slice(0, 8).toUpperCase();
