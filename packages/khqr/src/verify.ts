import { crc16 } from './crc16.ts';
import { decodeKhqr, type KhqrData } from './decode.ts';
import { encodeKhqr } from './encode.ts';
import { KhqrErrorCode as E, fail, KhqrError } from './errors.ts';
import { MAX_LIFETIME_SECONDS } from './generate.ts';

/** Options of {@link verifyKhqr}. */
export interface VerifyKhqrOptions {
  /** The clock (ms) the expiry is checked against. @default Date.now() */
  now?: number;
  /** Accept a dynamic QR whose lifetime is longer than 10 minutes. @default false */
  allowLongExpiry?: boolean;
  /** Skip the expiry check, to inspect an old QR. @default false */
  ignoreExpiry?: boolean;
}

/** The answer of {@link verifyKhqr}: the decoded QR, or why it is not a valid KHQR. */
export type KhqrVerification = { valid: true; data: KhqrData } | { valid: false; error: KhqrError };

/**
 * Checks that a string is a valid KHQR: structure, CRC, every field rule `generateKhqr` applies
 * (lengths, account format, 4-digit MCC, amount format per currency, language template), country
 * `KH`, dynamic QRs with an amount and a tag 99 expiry that has not passed. Never throws.
 * @example
 * const result = verifyKhqr(scanned);
 * if (!result.valid) console.warn(result.error.code, result.error.message);
 */
export function verifyKhqr(qr: string, options: VerifyKhqrOptions = {}): KhqrVerification {
  try {
    const data = decodeKhqr(qr);
    if (crc16(qr.slice(0, -4)) !== data.crc.toUpperCase()) {
      fail(
        E.CRC_MISMATCH,
        `The CRC ${data.crc} does not match the payload: the QR was altered or misread.`,
      );
    }
    if (data.countryCode !== 'KH') {
      fail(
        E.COUNTRY_CODE_INVALID,
        `Country ${JSON.stringify(data.countryCode)} (tag 58) is not KH: this QR is not a KHQR.`,
      );
    }
    checkRules(data, options);
    return { valid: true, data };
  } catch (error) {
    if (error instanceof KhqrError) return { valid: false, error };
    throw error;
  }
}

function checkRules(data: KhqrData, options: VerifyKhqrOptions): void {
  if (data.dynamic && data.amount === undefined) {
    fail(E.INVALID_DYNAMIC_KHQR, 'A dynamic KHQR (tag 01 = 12) must carry an amount (tag 54).');
  }
  if (!data.dynamic && data.amount !== undefined) {
    fail(E.INVALID_DYNAMIC_KHQR, 'A static KHQR (tag 01 = 11) must not carry an amount (tag 54).');
  }
  if (data.dynamic && (data.createdAt === undefined || data.expiresAt === undefined)) {
    fail(
      E.EXPIRATION_TIMESTAMP_REQUIRED,
      'A dynamic KHQR must carry creation and expiration timestamps (tag 99).',
    );
  }
  const now = options.now ?? Date.now();
  const alt = data.alternateLanguage;
  // The generator's own rules, so that verify accepts exactly what generate can produce.
  encodeKhqr({
    merchant: data.type === 'merchant',
    account: data.bakongAccountId,
    merchantId: data.merchantId,
    acquiringBank: data.acquiringBank,
    accountInformation: data.accountInformation,
    upi: data.upiMerchantAccount,
    mcc: data.merchantCategoryCode,
    currency: data.currency === 'KHR' ? '116' : '840',
    amount: data.dynamic ? data.amount : undefined,
    name: data.merchantName,
    city: data.merchantCity,
    billNumber: data.billNumber,
    mobileNumber: data.mobileNumber,
    storeLabel: data.storeLabel,
    terminalLabel: data.terminalLabel,
    purpose: data.purpose,
    languagePreference: alt?.language,
    alternateName: alt?.merchantName,
    alternateCity: alt?.merchantCity,
    created: data.createdAt ?? now,
    expires: data.expiresAt,
    now: options.ignoreExpiry ? 0 : now,
    maxLifetimeMs: options.allowLongExpiry ? undefined : MAX_LIFETIME_SECONDS * 1000,
  });
}
