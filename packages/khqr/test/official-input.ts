import { IndividualInfo, MerchantInfo } from '@khqr-checkout/khqr/compat';
import type { OfficialInput } from './vectors.ts';

/** Builds the compat Info object for a vector's input, exactly as the official tests call it. */
export function infoFor(
  kind: 'individual' | 'merchant',
  input: OfficialInput,
): IndividualInfo | MerchantInfo {
  const a = input as Record<string, never>;
  return kind === 'merchant'
    ? new MerchantInfo(
        a.bakongAccountID,
        a.merchantName,
        a.merchantCity,
        a.merchantID,
        a.acquiringBank,
        input.optional,
      )
    : new IndividualInfo(a.bakongAccountID, a.merchantName, a.merchantCity, input.optional);
}
