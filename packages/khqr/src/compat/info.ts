import { KhqrError } from '../errors.ts';

/** Optional fields of the official `IndividualInfo` / `MerchantInfo` constructors. */
export interface KhqrOptionalData {
  /** 116 (KHR, default) or 840 (USD), as a number or a string. */
  currency?: number | string;
  amount?: number | string;
  billNumber?: string | number;
  mobileNumber?: string | number;
  storeLabel?: string | number;
  terminalLabel?: string | number;
  purposeOfTransaction?: string | number;
  /** Individual only. */
  accountInformation?: string;
  /** Individual only; for merchants the constructor argument wins. */
  acquiringBank?: string;
  languagePreference?: string;
  merchantNameAlternateLanguage?: string;
  merchantCityAlternateLanguage?: string;
  upiMerchantAccount?: string;
  /** 13-digit ms timestamp, required for a dynamic QR. */
  expirationTimestamp?: number | string;
  /** @default '5999' */
  merchantCategoryCode?: string | number;
}

// The official constructors drop null, undefined and anything loosely equal to "" (0 and false too).
function dropEmpty(optional: object | null | undefined): KhqrOptionalData {
  // biome-ignore lint/suspicious/noDoubleEquals: reproduces the official SDK's loose `v != ""`.
  return Object.fromEntries(Object.entries(optional ?? {}).filter(([, v]) => v != null && v != ''));
}

function rejectObjects(message: string, ...values: unknown[]): void {
  if (values.some((v) => v instanceof Object))
    throw new KhqrError(109 /* INVALID_OPTION */, message);
}

/** Drop-in for the official `IndividualInfo`: `new IndividualInfo(id, name, city, optional)`. */
export class IndividualInfo {
  bakongAccountID: string;
  merchantName: string;
  merchantCity: string;
  accountInformation: string | undefined;
  acquiringBank: string | undefined;
  currency: number | string;
  amount: number | string | undefined;
  billNumber: string | number | undefined;
  storeLabel: string | number | undefined;
  terminalLabel: string | number | undefined;
  mobileNumber: string | number | undefined;
  purposeOfTransaction: string | number | undefined;
  languagePreference: string | undefined;
  merchantNameAlternateLanguage: string | undefined;
  merchantCityAlternateLanguage: string | undefined;
  upiMerchantAccount: string | undefined;
  expirationTimestamp: number | string | undefined;
  merchantCategoryCode: string | number | undefined;

  /** @throws {KhqrError} code 109 when a main field is an object, as the official SDK refuses. */
  constructor(
    bakongAccountID: string,
    merchantName: string,
    merchantCity: string,
    optional: KhqrOptionalData = {},
  ) {
    const o = dropEmpty(optional);
    rejectObjects(
      'bakongAccountID, merchantName or merchantCity must be a string',
      bakongAccountID,
      merchantName,
      merchantCity,
    );
    this.bakongAccountID = bakongAccountID;
    this.accountInformation = o.accountInformation;
    this.acquiringBank = o.acquiringBank;
    this.currency = o.currency ?? 116;
    this.amount = o.amount;
    this.merchantName = merchantName;
    this.merchantCity = merchantCity;
    this.billNumber = o.billNumber;
    this.storeLabel = o.storeLabel;
    this.terminalLabel = o.terminalLabel;
    this.mobileNumber = o.mobileNumber;
    this.purposeOfTransaction = o.purposeOfTransaction;
    this.languagePreference = o.languagePreference;
    this.merchantNameAlternateLanguage = o.merchantNameAlternateLanguage;
    this.merchantCityAlternateLanguage = o.merchantCityAlternateLanguage;
    this.upiMerchantAccount = o.upiMerchantAccount;
    this.expirationTimestamp = o.expirationTimestamp;
    this.merchantCategoryCode = o.merchantCategoryCode;
  }
}

/** Drop-in for the official `MerchantInfo`: `new MerchantInfo(id, name, city, merchantID, bank, optional)`. */
export class MerchantInfo extends IndividualInfo {
  merchantID: string;

  /** @throws {KhqrError} code 109 when a main field is an object, as the official SDK refuses. */
  constructor(
    bakongAccountID: string,
    merchantName: string,
    merchantCity: string,
    merchantID: string,
    acquiringBank: string,
    optional: KhqrOptionalData = {},
  ) {
    super(bakongAccountID, merchantName, merchantCity, dropEmpty(optional));
    rejectObjects('merchantID and acquiringBank must be a string', merchantID, acquiringBank);
    this.merchantID = merchantID;
    this.acquiringBank = acquiringBank;
  }
}
