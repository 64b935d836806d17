import { CURRENCY_CODES, formatAmount } from './amount.ts';
import { fail, type KhqrErrorCodeValue } from './errors.ts';
import { tlv } from './tlv.ts';

/**
 * The text fields of a KHQR before validation, named as in `KhqrInput` and `KhqrData`, so that
 * `generateKhqr` passes its input and `verifyKhqr` its decoded record as they are, and both go
 * through the same rules.
 * @internal
 */
export interface KhqrFields {
  bakongAccountId?: unknown;
  merchantId?: unknown;
  acquiringBank?: unknown;
  /** Read for individual QRs only. */
  accountInformation?: unknown;
  upiMerchantAccount?: unknown;
  merchantCategoryCode?: unknown;
  merchantName?: unknown;
  merchantCity?: unknown;
  billNumber?: unknown;
  mobileNumber?: unknown;
  storeLabel?: unknown;
  terminalLabel?: unknown;
  purpose?: unknown;
  alternateLanguage?:
    | { language?: unknown; merchantName?: unknown; merchantCity?: unknown }
    | undefined;
}

/** How to encode the fields. @internal */
export interface KhqrEncoding {
  /** Tag 30 (merchant) rather than tag 29 (individual). */
  merchant: boolean;
  /** The tag 53 code: `116`, `'840'`, … */
  currency: unknown;
  /** Present exactly when the QR is dynamic. */
  amount?: unknown;
  /** Creation timestamp (ms) written to tag 99. */
  created: number;
  expires?: unknown;
  /** The clock, for the "already expired" check. */
  now: number;
  /** Longest allowed lifetime in ms; absent means unlimited (the official rule). */
  maxLifetimeMs?: number | undefined;
}

const q = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const iso = (t: number): string => new Date(t).toISOString();

/**
 * `formatAmount(amount, currency)`, with the common case written out: a number of whole riel or
 * dollars, or of dollars and cents, below 10^10 (so at most 13 characters). Its text is then
 * `String(amount)`, with a second decimal for `12.5`, as `formatAmount` gives it (encode.test.ts
 * checks they agree); anything else goes to `formatAmount`.
 * @internal
 */
export function amountText(amount: unknown, currency: string): string {
  if (typeof amount === 'number' && amount >= 0.01 && amount < 1e10) {
    if (Number.isInteger(amount)) return String(amount);
    if (currency === CURRENCY_CODES.USD && Math.round(amount * 100) / 100 === amount) {
      const text = String(amount);
      return text.charCodeAt(text.length - 2) === 46 /* . */ ? `${text}0` : text;
    }
  }
  return formatAmount(amount, currency);
}

/** A field's text, or undefined when absent (`undefined`, `null` or `''`). */
function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    return fail(109 /* INVALID_OPTION */, `${name} must be a string, got ${typeof value}.`);
  }
  if (/[\uD800-\uDFFF]/.test(value)) {
    fail(
      105 /* UNSUPPORTED_CHARACTER */,
      `${name} ${q(value)} holds an emoji or other non-BMP character: remove it.`,
    );
  }
  return value;
}

function limit(value: string, max: number, code: KhqrErrorCodeValue, name: string): string {
  if (value.length > max) {
    fail(code, `${name} ${q(value)} is longer than ${max} characters.`);
  }
  return value;
}

function optional(
  tag: string,
  value: unknown,
  max: number,
  code: KhqrErrorCodeValue,
  name: string,
): string {
  const s = text(value, name);
  return s === undefined ? '' : tlv(tag, limit(s, max, code, name));
}

function template(tag: string, value: string, name: string): string {
  if (value.length > 99) {
    fail(
      101 /* TEMPLATE_TOO_LONG */,
      `The ${name} (tag ${tag}) is over 99 characters: shorten its fields.`,
    );
  }
  return value ? tlv(tag, value) : '';
}

/** Tag 53 from a loose currency value (`116`, `'840'`, …), with the official SDK's checks. */
function currencyCode(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    fail(9 /* CURRENCY_TYPE_REQUIRED */, 'currency must be "KHR" or "USD".');
  }
  const s = String(value);
  if (s === CURRENCY_CODES.KHR || s === CURRENCY_CODES.USD) return s;
  return fail(
    typeof value === 'string' && value.length > 3
      ? 19 /* TRANSACTION_CURRENCY_LENGTH_INVALID */
      : 28 /* UNSUPPORTED_CURRENCY */,
    `currency ${q(value)}: use "KHR" or "USD".`,
  );
}

// The merchant's fields of the last QR, and the validated parts of the QR they make: a shop encodes
// the same account, names and currency QR after QR, so only the amount, the additional data and
// the timestamps are checked and written each time.
let merchantKey: unknown[] = [];
let merchantParts: string[] = [];

/**
 * Validates `f` in the official SDK's order (first failure wins, same codes) plus the stricter
 * rules, and returns the KHQR payload up to `6304`: `signKhqr` appends the CRC.
 * @throws {KhqrError}
 */
export function encodeKhqr(f: KhqrFields, e: KhqrEncoding): string {
  const alt = f.alternateLanguage;
  const key = [
    e.merchant,
    e.currency,
    f.upiMerchantAccount,
    f.bakongAccountId,
    f.merchantId,
    f.acquiringBank,
    f.accountInformation,
    f.merchantCategoryCode,
    f.merchantName,
    f.merchantCity,
    alt?.language,
    alt?.merchantName,
    alt?.merchantCity,
  ];
  // The same fields passed every rule last time, and their rules come before (or apart from) the
  // amount's, the additional data's and the expiry's: a failure there is still the first one.
  const known = key.every((v, i) => v === merchantKey[i]);
  let [head, currency, middle, language] = known ? merchantParts : [];
  if (!known) [head, currency] = merchantHead(f, e);
  const dynamic = e.amount !== undefined;
  const amount = dynamic ? tlv('54', amountText(e.amount, currency as string)) : '';

  if (!known) {
    const name = text(f.merchantName, 'merchantName');
    if (name === undefined) fail(2 /* MERCHANT_NAME_REQUIRED */, 'merchantName is required.');
    limit(name, 25, 7 /* MERCHANT_NAME_LENGTH_INVALID */, 'merchantName');
    const city = limit(
      text(f.merchantCity, 'merchantCity') ?? 'Phnom Penh',
      15,
      21 /* MERCHANT_CITY_LENGTH_INVALID */,
      'merchantCity',
    );
    middle = `5802KH${tlv('59', name)}${tlv('60', city)}`;
  }

  const additional = template(
    '62',
    optional('01', f.billNumber, 25, 10 /* BILL_NUMBER_LENGTH_INVALID */, 'billNumber') +
      optional('02', f.mobileNumber, 25, 34 /* MOBILE_NUMBER_LENGTH_INVALID */, 'mobileNumber') +
      optional('03', f.storeLabel, 25, 11 /* STORE_LABEL_LENGTH_INVALID */, 'storeLabel') +
      optional('07', f.terminalLabel, 25, 12 /* TERMINAL_LABEL_LENGTH_INVALID */, 'terminalLabel') +
      optional('08', f.purpose, 25, 42 /* PURPOSE_OF_TRANSACTION_LENGTH_INVALID */, 'purpose'),
    'additional data',
  );

  if (!known) language = languageTemplate(f);
  let timestamps = '';
  if (dynamic) timestamps = tlv('99', tlv('00', String(e.created)) + tlv('01', String(expiry(e))));
  if (!known) {
    merchantKey = key;
    merchantParts = [head, currency, middle, language] as string[];
    // Reading a character has V8 flatten each part once, in place: the QRs to come then join a
    // few flat strings instead of walking the same concatenation trees each time they are hashed.
    for (const part of merchantParts) part.charCodeAt(0);
  }
  return `0002010102${dynamic ? '12' : '11'}${head}${amount}${middle}${additional}${language}${timestamps}6304`;
}

/** Tags 15 to 53 (after the point of initiation), and the currency code. */
function merchantHead(f: KhqrFields, e: KhqrEncoding): [string, string] {
  const upi = optional(
    '15',
    f.upiMerchantAccount,
    99,
    43 /* UPI_ACCOUNT_INFORMATION_LENGTH_INVALID */,
    'upiMerchantAccount',
  );

  const account = text(f.bakongAccountId, 'bakongAccountId');
  if (account === undefined) {
    fail(1 /* BAKONG_ACCOUNT_ID_REQUIRED */, 'bakongAccountId is required, such as "shop@aclb".');
  }
  limit(account, 32, 6 /* BAKONG_ACCOUNT_ID_LENGTH_INVALID */, 'bakongAccountId');
  if (!/^[^@]+@[^@]+$/.test(account)) {
    fail(
      3 /* BAKONG_ACCOUNT_ID_INVALID */,
      `bakongAccountId ${q(account)} must look like "name@bank".`,
    );
  }
  let mai = tlv('00', account);
  if (e.merchant) {
    const id = text(f.merchantId, 'merchantId');
    if (id === undefined) fail(30 /* MERCHANT_ID_REQUIRED */, 'merchantId is required.');
    limit(id, 32, 32 /* MERCHANT_ID_LENGTH_INVALID */, 'merchantId');
    const bank = text(f.acquiringBank, 'acquiringBank');
    if (bank === undefined) {
      fail(31 /* ACQUIRING_BANK_REQUIRED */, 'acquiringBank is required with a merchantId.');
    }
    mai +=
      tlv('01', id) +
      tlv('02', limit(bank, 32, 33 /* ACQUIRING_BANK_LENGTH_INVALID */, 'acquiringBank'));
  } else {
    mai +=
      optional(
        '01',
        f.accountInformation,
        32,
        35 /* ACCOUNT_INFORMATION_LENGTH_INVALID */,
        'accountInformation',
      ) +
      optional('02', f.acquiringBank, 32, 33 /* ACQUIRING_BANK_LENGTH_INVALID */, 'acquiringBank');
  }
  mai = template(e.merchant ? '30' : '29', mai, 'merchant account information');

  const mcc =
    f.merchantCategoryCode === undefined || f.merchantCategoryCode === null
      ? '5999'
      : String(f.merchantCategoryCode);
  if (mcc === '') fail(25 /* MERCHANT_CATEGORY_TAG_REQUIRED */, 'merchantCategoryCode is empty.');
  limit(mcc, 4, 18 /* MERCHANT_CODE_LENGTH_INVALID */, 'merchantCategoryCode');
  if (!/^\d{4}$/.test(mcc)) {
    fail(
      /^\d+$/.test(mcc)
        ? 18 /* MERCHANT_CODE_LENGTH_INVALID */
        : 51 /* INVALID_MERCHANT_CATEGORY_CODE */,
      `merchantCategoryCode ${q(mcc)} must be 4 digits, such as "5999".`,
    );
  }

  const currency = currencyCode(e.currency);
  if (upi && currency === CURRENCY_CODES.USD) {
    fail(
      44 /* UPI_ACCOUNT_INFORMATION_INVALID_CURRENCY */,
      'upiMerchantAccount needs currency KHR.',
    );
  }
  return [`${upi}${mai}${tlv('52', mcc)}5303${currency}`, currency];
}

function languageTemplate(f: KhqrFields): string {
  const preference = text(f.alternateLanguage?.language, 'alternateLanguage.language');
  const name = text(f.alternateLanguage?.merchantName, 'alternateLanguage.merchantName');
  const city = text(f.alternateLanguage?.merchantCity, 'alternateLanguage.merchantCity');
  if (name === undefined) {
    if (preference !== undefined || city !== undefined) {
      fail(
        39 /* MERCHANT_NAME_ALTERNATE_LANGUAGE_REQUIRED */,
        'alternateLanguage.merchantName is required.',
      );
    }
    return '';
  }
  if (preference === undefined) {
    fail(
      37 /* LANGUAGE_PREFERENCE_REQUIRED */,
      'alternateLanguage.language is required, such as "km".',
    );
  }
  if (preference.length !== 2) {
    fail(
      38 /* LANGUAGE_PREFERENCE_LENGTH_INVALID */,
      `alternateLanguage.language ${q(preference)} must be 2 letters, such as "km".`,
    );
  }
  return template(
    '64',
    tlv('00', preference) +
      tlv(
        '01',
        limit(
          name,
          25,
          40 /* MERCHANT_NAME_ALTERNATE_LANGUAGE_LENGTH_INVALID */,
          'alternateLanguage.merchantName',
        ),
      ) +
      (city === undefined
        ? ''
        : tlv(
            '02',
            limit(
              city,
              15,
              41 /* MERCHANT_CITY_ALTERNATE_LANGUAGE_LENGTH_INVALID */,
              'alternateLanguage.merchantCity',
            ),
          )),
    'language template',
  );
}

function expiry(f: KhqrEncoding): number {
  const raw = f.expires;
  const expires = Number(raw);
  if (!raw || !expires) {
    fail(
      45 /* EXPIRATION_TIMESTAMP_REQUIRED */,
      'A dynamic KHQR needs expiresAt (ms) or lifetime (s).',
    );
  }
  // The official rule is String(expires).length === 13; the range test answers the common case
  // without a number-to-string conversion.
  if (
    !(Number.isInteger(expires) && expires >= 1e12 && expires < 1e13) &&
    String(expires).length !== 13
  ) {
    fail(
      49 /* EXPIRATION_TIMESTAMP_LENGTH_INVALID */,
      `Expiry ${q(raw)} is not in ms (13 digits)${String(expires).length === 10 ? ': it looks like seconds' : ''}.`,
    );
  }
  if (expires < f.created) {
    fail(
      50 /* EXPIRATION_TIMESTAMP_IN_THE_PAST */,
      `Expiry ${iso(expires)} is before the creation time.`,
    );
  }
  if (expires < f.now) fail(46 /* KHQR_EXPIRED */, `This KHQR expired at ${iso(expires)}.`);
  if (f.maxLifetimeMs !== undefined && expires - f.created > f.maxLifetimeMs) {
    fail(
      104 /* EXPIRY_TOO_FAR */,
      `Expiry ${iso(expires)} is over ${f.maxLifetimeMs / 1000} s ahead (see allowLongExpiry).`,
    );
  }
  return expires;
}
