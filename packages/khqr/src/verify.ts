import { CURRENCY_CODES } from './amount.ts';
import { crc16 } from './crc16.ts';
import { decodeKhqr, type KhqrData } from './decode.ts';
import { encodeKhqr } from './encode.ts';
import { fail, KhqrError } from './errors.ts';
import { MAX_LIFETIME_SECONDS } from './generate.ts';

/** Options of {@link verifyKhqr}. */
export interface VerifyKhqrOptions {
  /** The clock (ms) the expiry is checked against. @default Date.now() */
  now?: number;
  /**
   * Accept a dynamic QR whose lifetime (expiry − creation) is longer than 10 minutes, as issuers
   * write (Canadia: 24 h). @default ignoreExpiry
   */
  allowLongExpiry?: boolean;
  /**
   * Skip the clock checks, to read a QR shown or scanned earlier: it may have expired, and its
   * lifetime may exceed 10 minutes unless `allowLongExpiry: false`. The expiry must still follow
   * the creation. @default false
   */
  ignoreExpiry?: boolean;
}

/** The answer of {@link verifyKhqr}: the decoded QR, or why it is not a valid KHQR. */
export type KhqrVerification = { valid: true; data: KhqrData } | { valid: false; error: KhqrError };

/**
 * Checks that a string is a valid KHQR: structure, CRC, every field rule `generateKhqr` applies
 * (lengths, account format, 4-digit MCC, amount format per currency, language template), country
 * `KH`, dynamic QRs with an amount and a tag 99 expiry that has not passed. Like the official
 * SDK, it does not check tag order and accepts issuers' additions: tags and sub-tags it does not
 * know (see `KhqrData.tags`), a static QR's non-timestamp tag 99, amounts such as `1.0`.
 * Never throws.
 * @example
 * const result = verifyKhqr(scanned);
 * if (!result.valid) console.warn(result.error.code, result.error.message);
 */
export function verifyKhqr(qr: string, options: VerifyKhqrOptions = {}): KhqrVerification {
  try {
    const data = decodeKhqr(qr);
    if (crc16(qr.slice(0, -4)) !== data.crc.toUpperCase()) {
      fail(
        107 /* CRC_MISMATCH */,
        `The CRC ${data.crc} does not match: the QR was altered or misread.`,
      );
    }
    if (data.countryCode !== 'KH') {
      fail(
        108 /* COUNTRY_CODE_INVALID */,
        `Country ${JSON.stringify(data.countryCode)} (tag 58) is not KH.`,
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
    fail(47 /* INVALID_DYNAMIC_KHQR */, 'A dynamic KHQR needs an amount (tag 54).');
  }
  if (!data.dynamic && data.amount !== undefined) {
    fail(47 /* INVALID_DYNAMIC_KHQR */, 'A static KHQR has no amount (tag 54).');
  }
  if (data.dynamic && (data.createdAt === undefined || data.expiresAt === undefined)) {
    fail(45 /* EXPIRATION_TIMESTAMP_REQUIRED */, 'A dynamic KHQR needs timestamps (tag 99).');
  }
  const now = options.now ?? Date.now();
  // The generator's own rules, so that verify accepts exactly what generate can produce.
  encodeKhqr(data, {
    merchant: data.type === 'merchant',
    currency: CURRENCY_CODES[data.currency],
    amount: data.dynamic ? data.amount : undefined,
    created: data.createdAt ?? now,
    expires: data.expiresAt,
    now: options.ignoreExpiry ? 0 : now,
    maxLifetimeMs:
      (options.allowLongExpiry ?? options.ignoreExpiry) ? undefined : MAX_LIFETIME_SECONDS * 1000,
  });
}
