import {
  generateKhqr,
  type KhqrCurrency,
  type KhqrData,
  KhqrError,
  type KhqrInput,
  khqrMd5,
  MAX_LIFETIME_SECONDS,
  toMinorUnits,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import { ProxyError } from './errors.ts';
import type { CheckoutRecord } from './store.ts';

/** The merchant this proxy collects for. */
export interface MerchantConfig {
  /** Bakong accounts that may receive payments; the first one receives server-created checkouts. */
  accounts: string[];
  /** Name on server-created QRs (≤ 25). @default 'Merchant' */
  name?: string | undefined;
  /** @default 'Phnom Penh' */
  city?: string | undefined;
  /** Makes server-created QRs merchant KHQR (tag 30); then `acquiringBank` too. */
  merchantId?: string;
  acquiringBank?: string;
  /** Khmer name/city on server-created QRs. */
  alternateLanguage?: KhqrInput['alternateLanguage'];
}

/** What `createCheckout` takes. */
export interface CheckoutInput {
  amount: number | string;
  currency: KhqrCurrency;
  /** Lifetime in whole seconds, 60–600 (the proxy's `minTtlSeconds` lowers the floor). @default 300 */
  ttl?: number;
  /** Your order reference, handed back in `onPaid`. */
  orderId?: string;
  billNumber?: string;
  storeLabel?: string;
  terminalLabel?: string;
  purpose?: string;
}

/** A created checkout, for the merchant's page. */
export interface CreatedCheckout {
  qr: string;
  md5: string;
  expiresAt: number;
  checkoutId: string;
}

/** The order a browser-generated QR belongs to, as the merchant's server knows it. */
export interface ValidatedOrder {
  /** Your order id: handed back in `onPaid`, never taken from the QR. */
  orderId: string;
  /** What the order costs (major units, as `createCheckout` takes it): the payment must match. */
  amount: number | string;
  currency: KhqrCurrency;
}

/**
 * The merchant's own check of a browser-generated QR. Return the order it pays (found by the
 * bill number, say) with the amount and currency the order expects; the proxy refuses a QR for
 * another amount and settles the payment against that order. Return `false` or a reason to
 * refuse it; `true` accepts it bound to no order (a donation of any amount).
 */
export type ValidateHook = (
  qr: string,
  decoded: KhqrData,
) => ValidatedOrder | boolean | string | Promise<ValidatedOrder | boolean | string>;

/** Slack for clocks between the browser and the server, ms. */
export const CLOCK_SKEW_MS = 5_000;

function recordFor(
  qr: string,
  data: KhqrData,
  source: CheckoutRecord['source'],
  extra: Partial<CheckoutRecord>,
): CheckoutRecord {
  return {
    md5: khqrMd5(qr),
    qr,
    checkoutId: crypto.randomUUID(),
    source,
    amountMinor: toMinorUnits(data.amount as string, data.currency),
    currency: data.currency,
    toAccountId: data.bakongAccountId,
    createdAt: data.createdAt as number,
    expiresAt: data.expiresAt as number,
    ...(data.billNumber === undefined ? {} : { billNumber: data.billNumber }),
    ...extra,
  };
}

/** Builds the KHQR of a server-created checkout with the configured merchant account. */
export function buildCheckout(
  merchant: MerchantConfig,
  input: CheckoutInput,
  now: number,
  minTtl = 60,
): CheckoutRecord {
  const account = merchant.accounts[0];
  if (!account)
    throw new ProxyError(
      500,
      'misconfigured',
      'No merchant account is configured (KHQR_MERCHANT_ACCOUNTS).',
    );
  if (input.currency !== 'KHR' && input.currency !== 'USD')
    throw new ProxyError(
      400,
      'invalid_checkout',
      'currency is required: "KHR" or "USD" (an amount without one is never read as riel).',
    );
  if (
    input.ttl !== undefined &&
    !(Number.isInteger(input.ttl) && input.ttl >= minTtl && input.ttl <= MAX_LIFETIME_SECONDS)
  ) {
    throw new ProxyError(
      400,
      'invalid_checkout',
      `ttl must be whole seconds, ${minTtl}–${MAX_LIFETIME_SECONDS}.`,
    );
  }
  if (
    input.orderId !== undefined &&
    (typeof input.orderId !== 'string' || input.orderId.length > 100)
  ) {
    throw new ProxyError(
      400,
      'invalid_checkout',
      'orderId must be a string of at most 100 characters.',
    );
  }
  try {
    const { qr } = generateKhqr({
      bakongAccountId: account,
      merchantName: merchant.name ?? 'Merchant',
      merchantCity: merchant.city ?? 'Phnom Penh',
      ...(merchant.merchantId
        ? { merchantId: merchant.merchantId, acquiringBank: merchant.acquiringBank ?? '' }
        : {}),
      ...(merchant.alternateLanguage ? { alternateLanguage: merchant.alternateLanguage } : {}),
      currency: input.currency,
      amount: input.amount,
      lifetime: input.ttl ?? 300,
      now,
      ...(input.billNumber ? { billNumber: input.billNumber } : {}),
      ...(input.storeLabel ? { storeLabel: input.storeLabel } : {}),
      ...(input.terminalLabel ? { terminalLabel: input.terminalLabel } : {}),
      ...(input.purpose ? { purpose: input.purpose } : {}),
    });
    const verification = verifyKhqr(qr, { now });
    if (!verification.valid) throw verification.error;
    return recordFor(
      qr,
      verification.data,
      'server',
      input.orderId === undefined ? {} : { orderId: input.orderId },
    );
  } catch (error) {
    if (error instanceof KhqrError) throw new ProxyError(400, 'invalid_checkout', error.message);
    throw error;
  }
}

/**
 * Accepts a QR the browser generated, or refuses it: it must verify (structure, CRC, no tag
 * twice), be dynamic, pay one of the merchant's accounts, expire within 10 minutes, and pass the
 * merchant's own hook. With no hook, browser-made QRs are refused: anyone can make one, for any
 * amount, and each would be watched at the merchant's expense.
 */
export async function acceptBrowserQr(
  md5: string,
  qr: string,
  merchant: MerchantConfig,
  now: number,
  validate?: ValidateHook,
): Promise<CheckoutRecord> {
  if (khqrMd5(qr) !== md5) throw new ProxyError(400, 'md5_mismatch', 'md5 is not the md5 of qr.');
  const verification = verifyKhqr(qr, { now: now - CLOCK_SKEW_MS });
  if (!verification.valid) throw new ProxyError(422, 'invalid_qr', verification.error.message);
  const data = verification.data;
  if (!data.dynamic || data.amount === undefined)
    throw new ProxyError(422, 'static_qr', 'Only dynamic KHQR (with an amount) can be checked.');
  if (!merchant.accounts.includes(data.bakongAccountId)) {
    throw new ProxyError(422, 'wrong_account', 'This QR does not pay this merchant.');
  }
  if ((data.expiresAt as number) > now + MAX_LIFETIME_SECONDS * 1000 + CLOCK_SKEW_MS) {
    throw new ProxyError(
      422,
      'expiry_too_far',
      `A QR must expire within ${MAX_LIFETIME_SECONDS / 60} minutes.`,
    );
  }
  if (!validate) {
    throw new ProxyError(
      422,
      'browser_qr_not_accepted',
      'This shop takes only QRs its server made; ask the shop for a new checkout.',
    );
  }
  let verdict: ValidatedOrder | boolean | string;
  try {
    verdict = await validate(qr, data);
  } catch {
    verdict = false;
  }
  if (verdict === true) return recordFor(qr, data, 'browser', {});
  if (typeof verdict !== 'object' || verdict === null) {
    throw new ProxyError(
      422,
      'rejected',
      typeof verdict === 'string' ? verdict : 'The merchant does not accept this QR.',
    );
  }
  const record = recordFor(qr, data, 'browser', { orderId: verdict.orderId });
  let expected: number | undefined;
  try {
    expected = toMinorUnits(verdict.amount, verdict.currency);
  } catch {
    expected = undefined;
  }
  if (typeof verdict.orderId !== 'string' || verdict.orderId === '' || expected === undefined) {
    throw new Error(
      '[khqr-proxy] validate must return {orderId, amount, currency} with a valid amount, true, false or a reason.',
    );
  }
  if (verdict.currency !== record.currency || expected !== record.amountMinor) {
    throw new ProxyError(
      422,
      'amount_mismatch',
      'This QR does not carry the amount of the order it names; make a new one.',
    );
  }
  return record;
}
