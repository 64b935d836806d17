import { CURRENCY_CODES, type KhqrCurrency } from './amount.ts';
import { encodeKhqr } from './encode.ts';
import { fail } from './errors.ts';
import { signKhqr } from './md5.ts';

/** Bakong's limit on a dynamic KHQR's lifetime: 10 minutes. */
export const MAX_LIFETIME_SECONDS = 600;
/** Lifetime of a dynamic KHQR when neither `expiresAt` nor `lifetime` is given: 5 minutes. */
export const DEFAULT_LIFETIME_SECONDS = 300;

/** The alternate-language merchant name (tag 64), usually Khmer. */
export interface KhqrAlternateLanguage {
  /** ISO 639-1 code, exactly 2 letters, e.g. `'km'`. */
  language: string;
  /** Merchant name in that language, ≤ 25 characters. */
  merchantName: string;
  /** Merchant city in that language, ≤ 15 characters. */
  merchantCity?: string;
}

/** What `generateKhqr` needs. Optional text fields treat `''` as absent. */
export interface KhqrInput {
  /** Receiving Bakong account, `name@bank`, ≤ 32 characters. */
  bakongAccountId: string;
  /** Shown to the payer, ≤ 25 characters. */
  merchantName: string;
  /** ≤ 15 characters. @default 'Phnom Penh' */
  merchantCity?: string;
  /** Makes this a merchant KHQR (tag 30); then `acquiringBank` is required. ≤ 32 characters. */
  merchantId?: string;
  /** Acquiring bank name, ≤ 32 characters; required for merchant KHQR, optional for individual. */
  acquiringBank?: string;
  /** Individual KHQR only (tag 29-01), e.g. a bank account number, ≤ 32 characters. */
  accountInformation?: string;
  /** @default 'KHR' */
  currency?: KhqrCurrency;
  /**
   * Makes the QR dynamic. A number or a decimal string: KHR in whole riel, USD with ≤ 2 decimals.
   * Omit it for a static QR (the payer types the amount).
   */
  amount?: number | string;
  /** Expiry of a dynamic QR, a timestamp in ms. Give this or `lifetime`, not both. */
  expiresAt?: number;
  /** Lifetime of a dynamic QR in seconds. @default 300 */
  lifetime?: number;
  /** Allow an expiry more than 10 minutes (600 s) after creation. @default false */
  allowLongExpiry?: boolean;
  /** Tag 62-01, ≤ 25 characters. */
  billNumber?: string;
  /** Tag 62-02, ≤ 25 characters. */
  mobileNumber?: string;
  /** Tag 62-03, ≤ 25 characters. */
  storeLabel?: string;
  /** Tag 62-07, ≤ 25 characters. */
  terminalLabel?: string;
  /** Purpose of transaction, tag 62-08, ≤ 25 characters. */
  purpose?: string;
  /** Merchant name (and city) in a second language, tag 64. */
  alternateLanguage?: KhqrAlternateLanguage;
  /** UnionPay merchant account (tag 15), ≤ 99 characters; KHR only. */
  upiMerchantAccount?: string;
  /** ISO 18245 merchant category code, exactly 4 digits. @default '5999' */
  merchantCategoryCode?: string;
  /** The clock, in ms: the creation timestamp of a dynamic QR. @default Date.now() */
  now?: number;
}

/** A generated KHQR. */
export interface GeneratedKhqr {
  /** The payload to render as a QR code. */
  qr: string;
  /** Lowercase hex MD5 of `qr`: the key to check the payment with Bakong. */
  md5: string;
  /** Creation timestamp (ms) of a dynamic QR; `null` for a static one. */
  createdAt: number | null;
  /** Expiry timestamp (ms) of a dynamic QR; `null` for a static one. */
  expiresAt: number | null;
}

/**
 * Generates an individual (tag 29) or merchant (tag 30, when `merchantId` is given) KHQR,
 * byte-for-byte as the official SDK would for the same fields.
 * @throws {KhqrError} with the official SDK's code for the same problem.
 * @example
 * const { qr, md5, expiresAt } = generateKhqr({
 *   bakongAccountId: 'coffee@aclb', merchantName: 'Sok Coffee', currency: 'USD', amount: 2.5,
 * });
 */
export function generateKhqr(input: KhqrInput): GeneratedKhqr {
  if (typeof input !== 'object' || input === null) {
    fail(109 /* INVALID_OPTION */, 'generateKhqr takes one options object.');
  }
  const now = input.now ?? Date.now();
  if (!Number.isSafeInteger(now) || now < 0)
    fail(109 /* INVALID_OPTION */, `now must be a timestamp in ms, got ${input.now}.`);
  const dynamic = input.amount !== undefined && input.amount !== null && input.amount !== '';
  let expires: number | undefined;
  if (dynamic) expires = expiryFor(input, now);
  else if (input.expiresAt !== undefined || input.lifetime !== undefined) {
    fail(109 /* INVALID_OPTION */, 'expiresAt and lifetime need an amount.');
  }
  const currency = input.currency ?? 'KHR';
  const { qr, md5 } = signKhqr(
    encodeKhqr(input, {
      merchant: input.merchantId !== undefined && input.merchantId !== '',
      currency: currency in CURRENCY_CODES ? CURRENCY_CODES[currency] : currency,
      amount: dynamic ? input.amount : undefined,
      created: now,
      expires,
      now,
      maxLifetimeMs: input.allowLongExpiry ? undefined : MAX_LIFETIME_SECONDS * 1000,
    }),
  );
  return {
    qr,
    md5,
    createdAt: dynamic ? now : null,
    expiresAt: expires ?? null,
  };
}

function expiryFor(input: KhqrInput, now: number): number {
  const { expiresAt, lifetime } = input;
  if (expiresAt !== undefined && lifetime !== undefined) {
    fail(109 /* INVALID_OPTION */, 'Give expiresAt or lifetime, not both.');
  }
  if (expiresAt !== undefined) {
    if (typeof expiresAt !== 'number' || !Number.isInteger(expiresAt)) {
      fail(109 /* INVALID_OPTION */, `expiresAt ${String(expiresAt)} is not a timestamp in ms.`);
    }
    return expiresAt;
  }
  const seconds = lifetime ?? DEFAULT_LIFETIME_SECONDS;
  if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) {
    fail(109 /* INVALID_OPTION */, `lifetime ${String(seconds)} must be a number of seconds > 0.`);
  }
  return now + Math.round(seconds * 1000);
}
