import { IndividualInfo, MerchantInfo } from '@khqr-checkout/khqr/compat';
import type { OfficialInput } from './vectors.ts';

/** Builds the compat Info object for a vector's input, exactly as the official tests call it. */
export function infoFor(
  kind: 'individual' | 'merchant',
  input: OfficialInput,
): IndividualInfo | MerchantInfo {
  // The vectors hold deliberately wrong types (null, numbers, arrays): pass them on untouched.
  const v = (key: keyof OfficialInput) => input[key] as string;
  const optional = input.optional ?? {};
  return kind === 'merchant'
    ? new MerchantInfo(
        v('bakongAccountID'),
        v('merchantName'),
        v('merchantCity'),
        v('merchantID'),
        v('acquiringBank'),
        optional,
      )
    : new IndividualInfo(v('bakongAccountID'), v('merchantName'), v('merchantCity'), optional);
}
