import { type GeneratedKhqr, generateKhqr, type KhqrInput } from '@khqr-checkout/khqr';
import { useMemo } from 'react';

/**
 * A KHQR generated once per distinct input (memoized on the fields, not the object identity), or
 * the error that explains why the input is invalid.
 * @example const { khqr, error } = useKhqr({ bakongAccountId: 'shop@aclb', merchantName: 'Shop', amount: 2.5, currency: 'USD' });
 */
export function useKhqr(input: KhqrInput | null): {
  khqr: GeneratedKhqr | null;
  error: Error | null;
} {
  const key = input === null ? '' : JSON.stringify(input);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized key is the dependency.
  return useMemo(() => {
    if (input === null) return { khqr: null, error: null };
    try {
      return { khqr: generateKhqr(input), error: null };
    } catch (error) {
      return { khqr: null, error: error as Error };
    }
  }, [key]);
}
