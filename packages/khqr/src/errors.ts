/**
 * Stable numeric error codes. Codes 1–51 are the official `bakong-khqr` SDK's codes for the
 * same problem; codes from 100 up name problems the official SDK does not detect.
 */
export const KhqrErrorCode = {
  BAKONG_ACCOUNT_ID_REQUIRED: 1,
  MERCHANT_NAME_REQUIRED: 2,
  BAKONG_ACCOUNT_ID_INVALID: 3,
  TRANSACTION_AMOUNT_INVALID: 4,
  BAKONG_ACCOUNT_ID_LENGTH_INVALID: 6,
  MERCHANT_NAME_LENGTH_INVALID: 7,
  KHQR_INVALID: 8,
  CURRENCY_TYPE_REQUIRED: 9,
  BILL_NUMBER_LENGTH_INVALID: 10,
  STORE_LABEL_LENGTH_INVALID: 11,
  TERMINAL_LABEL_LENGTH_INVALID: 12,
  CONNECTION_TIMEOUT: 13,
  INVALID_DEEP_LINK_SOURCE_INFO: 14,
  INTERNAL_SERVER_ERROR: 15,
  PAYLOAD_FORMAT_INDICATOR_LENGTH_INVALID: 16,
  POINT_INITIATION_LENGTH_INVALID: 17,
  MERCHANT_CODE_LENGTH_INVALID: 18,
  TRANSACTION_CURRENCY_LENGTH_INVALID: 19,
  COUNTRY_CODE_LENGTH_INVALID: 20,
  MERCHANT_CITY_LENGTH_INVALID: 21,
  CRC_LENGTH_INVALID: 22,
  PAYLOAD_FORMAT_INDICATOR_TAG_REQUIRED: 23,
  CRC_TAG_REQUIRED: 24,
  MERCHANT_CATEGORY_TAG_REQUIRED: 25,
  COUNTRY_CODE_TAG_REQUIRED: 26,
  MERCHANT_CITY_TAG_REQUIRED: 27,
  UNSUPPORTED_CURRENCY: 28,
  INVALID_DEEP_LINK_URL: 29,
  MERCHANT_ID_REQUIRED: 30,
  ACQUIRING_BANK_REQUIRED: 31,
  MERCHANT_ID_LENGTH_INVALID: 32,
  ACQUIRING_BANK_LENGTH_INVALID: 33,
  MOBILE_NUMBER_LENGTH_INVALID: 34,
  ACCOUNT_INFORMATION_LENGTH_INVALID: 35,
  LANGUAGE_PREFERENCE_REQUIRED: 37,
  LANGUAGE_PREFERENCE_LENGTH_INVALID: 38,
  MERCHANT_NAME_ALTERNATE_LANGUAGE_REQUIRED: 39,
  MERCHANT_NAME_ALTERNATE_LANGUAGE_LENGTH_INVALID: 40,
  MERCHANT_CITY_ALTERNATE_LANGUAGE_LENGTH_INVALID: 41,
  PURPOSE_OF_TRANSACTION_LENGTH_INVALID: 42,
  UPI_ACCOUNT_INFORMATION_LENGTH_INVALID: 43,
  UPI_ACCOUNT_INFORMATION_INVALID_CURRENCY: 44,
  EXPIRATION_TIMESTAMP_REQUIRED: 45,
  KHQR_EXPIRED: 46,
  INVALID_DYNAMIC_KHQR: 47,
  POINT_OF_INITIATION_METHOD_INVALID: 48,
  EXPIRATION_TIMESTAMP_LENGTH_INVALID: 49,
  EXPIRATION_TIMESTAMP_IN_THE_PAST: 50,
  INVALID_MERCHANT_CATEGORY_CODE: 51,
  /** A template (tag 29/30, 62 or 64) would be longer than 99 characters. */
  TEMPLATE_TOO_LONG: 101,
  /** The string is not well-formed tag-length-value data. */
  MALFORMED_TLV: 102,
  /** The string is longer than any KHQR can be (512 characters). */
  INPUT_TOO_LONG: 103,
  /** A dynamic QR expires further ahead than allowed (10 minutes by default). */
  EXPIRY_TOO_FAR: 104,
  /** A field holds a character outside the Basic Multilingual Plane or a lone surrogate. */
  UNSUPPORTED_CHARACTER: 105,
  /** A tag appears twice. */
  DUPLICATE_TAG: 106,
  /** The CRC (tag 63) does not match the payload. */
  CRC_MISMATCH: 107,
  /** The country code (tag 58) is not `KH`. */
  COUNTRY_CODE_INVALID: 108,
  /** An option has the wrong type or contradicts another option. */
  INVALID_OPTION: 109,
  /** Bakong answered 401 / errorCode 6: the token is missing, invalid or expired. */
  UNAUTHORIZED: 110,
} as const;

/** One of the values of {@link KhqrErrorCode}. */
export type KhqrErrorCodeValue = (typeof KhqrErrorCode)[keyof typeof KhqrErrorCode];

/**
 * The only error this package throws. `code` is stable and, for problems the official SDK also
 * detects, equal to its `errorCode`; `message` names the bad value and how to fix it.
 */
export class KhqrError extends Error {
  /** Stable numeric code, see {@link KhqrErrorCode}. */
  readonly code: KhqrErrorCodeValue;

  constructor(code: KhqrErrorCodeValue, message: string) {
    super(`[khqr] ${message}`);
    this.name = 'KhqrError';
    this.code = code;
  }
}

/** Throws a {@link KhqrError}; an expression-friendly helper. */
export function fail(code: KhqrErrorCodeValue, message: string): never {
  throw new KhqrError(code, message);
}
