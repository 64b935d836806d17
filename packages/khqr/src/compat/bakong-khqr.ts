import { encodeKhqr } from '../encode.ts';
import { KhqrError } from '../errors.ts';
import { signKhqr } from '../md5.ts';
import type { IndividualInfo, MerchantInfo } from './info.ts';
import { OFFICIAL_MESSAGES } from './messages.ts';
import { HANG } from './official-parser.ts';
import { officialDecode, officialDecodeNonKhqr, officialVerify } from './official-rules.ts';

/** The official SDK's envelope: `status.code` 0 on success, 1 on error. */
export interface KHQRResponse<T> {
  status: { code: 0 | 1; errorCode: number | null; message: string | null };
  data: T | null;
}

/** The official SDK's `khqrData` constants. */
export const khqrData = {
  currency: { usd: 840, khr: 116 },
  merchantType: { merchant: 'merchant', individual: 'individual' },
} as const;

/** Drop-in for the official `SourceInfo` (deep-link caller identity); falsy fields become null. */
export class SourceInfo {
  appIconUrl: string | null;
  appName: string | null;
  appDeepLinkCallback: string | null;
  constructor(appIconUrl?: string, appName?: string, appDeepLinkCallback?: string) {
    this.appIconUrl = appIconUrl || null;
    this.appName = appName || null;
    this.appDeepLinkCallback = appDeepLinkCallback || null;
  }
}

const ok = <T>(data: T): KHQRResponse<T> => ({
  status: { code: 0, errorCode: null, message: null },
  data,
});

function failure<T>(code: number, message?: string): KHQRResponse<T> {
  return {
    status: { code: 1, errorCode: code, message: OFFICIAL_MESSAGES[code] ?? message ?? null },
    data: null,
  };
}

function generate(
  info: IndividualInfo | MerchantInfo,
  merchant: boolean,
): KHQRResponse<{ qr: string; md5: string }> {
  const now = Date.now();
  const m = info as MerchantInfo;
  try {
    const payload = encodeKhqr(
      {
        bakongAccountId: info.bakongAccountID,
        merchantId: merchant ? m.merchantID : undefined,
        acquiringBank: info.acquiringBank,
        accountInformation: merchant ? undefined : info.accountInformation,
        upiMerchantAccount: info.upiMerchantAccount || undefined,
        merchantCategoryCode: info.merchantCategoryCode,
        merchantName: info.merchantName,
        merchantCity: info.merchantCity || undefined,
        billNumber: info.billNumber,
        mobileNumber: info.mobileNumber,
        storeLabel: info.storeLabel,
        terminalLabel: info.terminalLabel,
        purpose: info.purposeOfTransaction,
        alternateLanguage: {
          language: info.languagePreference,
          merchantName: info.merchantNameAlternateLanguage,
          merchantCity: info.merchantCityAlternateLanguage,
        },
      },
      {
        merchant,
        currency: info.currency,
        // The official rule: `amount == undefined || amount == 0` makes a static QR.
        // biome-ignore lint/suspicious/noDoubleEquals: loose equality is the documented official behaviour.
        amount: info.amount == undefined || info.amount == 0 ? undefined : info.amount,
        created: now,
        expires: info.expirationTimestamp,
        now,
      },
    );
    return ok(signKhqr(payload));
  } catch (error) {
    if (error instanceof KhqrError) return failure(error.code, error.message);
    throw error;
  }
}

const DEFAULT_TIMEOUT_MS = 45_000;

async function postJson(
  url: string,
  body: unknown,
): Promise<{ ok: boolean; json: Record<string, unknown> | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
  });
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  return { ok: response.ok && json !== null && typeof json === 'object', json };
}

/**
 * Drop-in for the official `BakongKHQR` class: same methods, arguments and envelopes, without
 * its bugs (see the package README). Generation errors come back as envelopes, never thrown.
 */
export class BakongKHQR {
  /** Individual KHQR (tag 29). */
  generateIndividual(info: IndividualInfo): KHQRResponse<{ qr: string; md5: string }> {
    return generate(info, false);
  }

  /** Merchant KHQR (tag 30). */
  generateMerchant(info: MerchantInfo): KHQRResponse<{ qr: string; md5: string }> {
    return generate(info, true);
  }

  /** The official decode record (every key present, null when absent). Does not validate. */
  static decode(qr: string): KHQRResponse<Record<string, string | null>> {
    if (typeof qr !== 'string') return failure(102 /* MALFORMED_TLV */, 'A KHQR is a string.');
    const data = officialDecode(qr);
    if (data === HANG) {
      return failure(102 /* MALFORMED_TLV */, 'A template holds a length that is not a number.');
    }
    return ok(data);
  }

  /** Generic EMV reader, keys are tags. */
  static decodeNonKhqr(qr: string): KHQRResponse<ReturnType<typeof officialDecodeNonKhqr>> {
    if (typeof qr !== 'string') return failure(102 /* MALFORMED_TLV */, 'A KHQR is a string.');
    return ok(officialDecodeNonKhqr(qr));
  }

  /** The official verify answer (CRC, structure, required tags, expiry of `01=12` QRs). */
  static verify(qr: string): { isValid: boolean } {
    return { isValid: officialVerify(qr, Date.now()) };
  }

  /**
   * Asks Bakong for a short deep link that opens the QR in a bank app. Unlike the official SDK,
   * `sourceInfo` is sent. The URL path must be `/v1/generate_deeplink_by_qr`.
   */
  static async generateDeepLink(
    url: string,
    qr: string,
    sourceInfo?: SourceInfo,
  ): Promise<KHQRResponse<{ shortLink: string }>> {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      return failure(29 /* INVALID_DEEP_LINK_URL */);
    }
    if (path !== '/v1/generate_deeplink_by_qr') return failure(29 /* INVALID_DEEP_LINK_URL */);
    if (!BakongKHQR.verify(qr).isValid) return failure(8 /* KHQR_INVALID */);
    if (
      sourceInfo &&
      (!sourceInfo.appIconUrl || !sourceInfo.appName || !sourceInfo.appDeepLinkCallback)
    ) {
      return failure(14 /* INVALID_DEEP_LINK_SOURCE_INFO */);
    }
    try {
      const { ok: good, json } = await postJson(
        url,
        sourceInfo ? { qr, sourceInfo: { ...sourceInfo } } : { qr },
      );
      if (!good || json === null) return failure(13 /* CONNECTION_TIMEOUT */);
      if (json.errorCode === 5) return failure(14 /* INVALID_DEEP_LINK_SOURCE_INFO */);
      if (json.errorCode === 6)
        return failure(110 /* UNAUTHORIZED */, 'Bakong refused the token (errorCode 6).');
      const link = (json.data as { shortLink?: unknown } | null)?.shortLink;
      if (json.responseCode !== 0 || typeof link !== 'string')
        return failure(15 /* INTERNAL_SERVER_ERROR */);
      return ok({ shortLink: link });
    } catch {
      return failure(13 /* CONNECTION_TIMEOUT */);
    }
  }

  /** Whether a Bakong account exists (`check_bakong_account`). */
  static async checkBakongAccount(
    url: string,
    bakongID: string,
  ): Promise<KHQRResponse<{ bakongAccountExisted: boolean }>> {
    if (typeof bakongID !== 'string' || bakongID.length > 32)
      return failure(6 /* BAKONG_ACCOUNT_ID_LENGTH_INVALID */);
    if (bakongID.split('@').length !== 2) return failure(3 /* BAKONG_ACCOUNT_ID_INVALID */);
    try {
      const { ok: good, json } = await postJson(url, { accountId: bakongID });
      if (!good || json === null) return failure(13 /* CONNECTION_TIMEOUT */);
      if (json.errorCode === 11) return ok({ bakongAccountExisted: false });
      if (json.errorCode === 12) return failure(3 /* BAKONG_ACCOUNT_ID_INVALID */);
      if (json.errorCode === 6)
        return failure(110 /* UNAUTHORIZED */, 'Bakong refused the request (errorCode 6).');
      return ok({ bakongAccountExisted: json.responseCode === 0 });
    } catch {
      return failure(13 /* CONNECTION_TIMEOUT */);
    }
  }
}
