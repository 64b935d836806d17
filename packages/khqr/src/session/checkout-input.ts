import type { KhqrInput } from '../generate.ts';

/** The fields a card takes to make its KHQR, in a fixed order. */
export const CHECKOUT_FIELDS = [
  'bakongAccountId',
  'merchantName',
  'merchantCity',
  'merchantId',
  'acquiringBank',
  'currency',
  'amount',
  'lifetime',
  'billNumber',
  'storeLabel',
  'terminalLabel',
  'mobileNumber',
  'purpose',
] as const;

/** The fields a checkout card takes to make its KHQR in the browser (element attributes, React props). */
export type CheckoutFields = { [K in (typeof CHECKOUT_FIELDS)[number]]?: KhqrInput[K] | undefined };

/**
 * What a card hands `generateKhqr`: only the fields above (an element or a props object may be
 * passed whole); KHR and a 300 s lifetime unless given; a missing account, name or amount becomes
 * empty, so the error names the field. Undefined fields count as absent.
 */
export function checkoutInput(fields: CheckoutFields): KhqrInput {
  const input: Record<string, unknown> = {};
  for (const key of CHECKOUT_FIELDS) if (fields[key] !== undefined) input[key] = fields[key];
  return {
    ...input,
    bakongAccountId: fields.bakongAccountId ?? '',
    merchantName: fields.merchantName ?? '',
    currency: fields.currency ?? 'KHR',
    amount: fields.amount ?? '',
    lifetime: fields.lifetime ?? 300,
  } as KhqrInput;
}
