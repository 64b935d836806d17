import { fail } from './errors.ts';

/** The currencies a KHQR can carry. */
export type KhqrCurrency = 'KHR' | 'USD';

/** ISO 4217 numeric codes as tag 53 carries them. */
export const CURRENCY_CODES = { KHR: '116', USD: '840' } as const;

const DECIMAL = /^(\d*)(?:\.(\d*))?$/;

function badAmount(amount: unknown, why: string): never {
  return fail(
    4 /* TRANSACTION_AMOUNT_INVALID */,
    `Invalid amount ${typeof amount === 'string' ? JSON.stringify(amount) : String(amount)}: ${why}`,
  );
}

/**
 * The tag 54 text for an amount, formatted exactly as the official SDK formats it (so the md5 is
 * the same): KHR as whole riel; USD with two decimals when the input has a fraction, as given
 * otherwise. Only plain decimal notation is accepted: no exponents, signs, separators or NaN.
 * @throws {KhqrError} code 4 when the amount is not a positive decimal the currency allows.
 */
export function formatAmount(amount: unknown, currencyCode: string): string {
  let text: string;
  if (typeof amount === 'number') text = String(amount);
  else if (typeof amount === 'string') text = amount;
  else return badAmount(amount, 'use a number or a string such as "12.50".');
  const m = DECIMAL.exec(text);
  if (!m || (m[1] === '' && !m[2])) {
    return badAmount(amount, 'use digits, such as 1500 or "12.50".');
  }
  const fraction = m[2];
  let out: string;
  if (currencyCode === CURRENCY_CODES.KHR) {
    if (fraction && /[^0]/.test(fraction)) {
      return badAmount(amount, 'KHR has no decimals.');
    }
    out = String(Math.round(Number(text)));
  } else {
    if (fraction !== undefined && fraction.length > 2) {
      return badAmount(amount, 'USD has at most 2 decimals.');
    }
    // The official SDK's parseFloat(amount).toFixed(2), built from the digits instead: equal for
    // every amount of ≤ 2 decimals and ≤ 13 characters, and several times faster.
    out = fraction === undefined ? text : `${Number(m[1])}.${fraction.padEnd(2, '0')}`;
  }
  if (out.length > 13) return badAmount(amount, 'over 13 characters.');
  if (!(Number(out) > 0)) {
    return badAmount(amount, 'it must be > 0 (omit it for a static QR).');
  }
  return out;
}

/**
 * An amount in minor units (USD cents, whole riel), for exact comparisons: never compare money as
 * floats. Accepts the tag 54 text or a number, as Bakong's transaction `amount` is.
 * @throws {KhqrError} code 4 when the amount is not valid for the currency.
 * @example toMinorUnits('12.50', 'USD') // 1250
 */
export function toMinorUnits(amount: string | number, currency: KhqrCurrency): number {
  const code = CURRENCY_CODES[currency];
  const text = formatAmount(
    typeof amount === 'number' ? roundForCurrency(amount, currency) : amount,
    code,
  );
  if (currency === 'KHR') return Number(text);
  const [whole = '0', cents = ''] = text.split('.');
  return Number(whole) * 100 + Number(cents.padEnd(2, '0'));
}

/**
 * The amount text of a sum in minor units: whole riel, or dollars with two decimals; the inverse
 * of {@link toMinorUnits}, for handing stored totals to `generateKhqr` or `createCheckout`.
 * @example fromMinorUnits(1250, 'USD') // '12.50'
 */
export const fromMinorUnits = (minor: number, currency: KhqrCurrency): string =>
  currency === 'KHR' ? String(minor) : (minor / 100).toFixed(2);

// Bakong reports amounts as JSON numbers; 0.1 + 0.2-style noise must not make a paid order look unpaid.
function roundForCurrency(amount: number, currency: KhqrCurrency): number {
  if (!Number.isFinite(amount)) return amount;
  return currency === 'KHR' ? amount : Math.round(amount * 100) / 100;
}
