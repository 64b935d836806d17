import type { KhqrInput } from '@khqr-checkout/khqr';
import type { OfficialInput } from './vectors.ts';

/** The modern `generateKhqr` input equivalent to an official-SDK input. */
export function modernInputFor(
  kind: 'individual' | 'merchant',
  input: OfficialInput,
  now: number,
): KhqrInput {
  const o = input.optional ?? {};
  const s = (v: unknown) =>
    v === undefined || v === null || v === '' ? undefined : (String(v) as string);
  const out: Record<string, unknown> = {
    bakongAccountId: input.bakongAccountID,
    merchantName: input.merchantName,
    merchantCity: s(input.merchantCity),
    merchantId: kind === 'merchant' ? input.merchantID : undefined,
    acquiringBank: kind === 'merchant' ? input.acquiringBank : o.acquiringBank,
    accountInformation: kind === 'merchant' ? undefined : o.accountInformation,
    currency: Number(o.currency ?? 116) === 840 ? 'USD' : 'KHR',
    // biome-ignore lint/suspicious/noDoubleEquals: the official static rule is loose.
    amount: o.amount == 0 ? undefined : o.amount,
    billNumber: s(o.billNumber),
    mobileNumber: s(o.mobileNumber),
    storeLabel: s(o.storeLabel),
    terminalLabel: s(o.terminalLabel),
    purpose: s(o.purposeOfTransaction),
    upiMerchantAccount: s(o.upiMerchantAccount),
    merchantCategoryCode: s(o.merchantCategoryCode),
    now,
    allowLongExpiry: true,
  };
  if (out.amount !== undefined) out.expiresAt = Number(o.expirationTimestamp);
  if (o.merchantNameAlternateLanguage !== undefined) {
    out.alternateLanguage = {
      language: o.languagePreference,
      merchantName: o.merchantNameAlternateLanguage,
      merchantCity: s(o.merchantCityAlternateLanguage),
    };
  }
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as unknown as KhqrInput;
}
