export type { KhqrCheckoutDetail, KhqrCheckoutProps } from './KhqrCheckout.tsx';
export { KhqrCheckout } from './KhqrCheckout.tsx';
export { useKhqr } from './useKhqr.ts';
export type { KhqrCheckoutQuery, UseKhqrCheckoutOptions } from './useKhqrCheckout.ts';
export { khqrCheckoutKey, useKhqrCheckout } from './useKhqrCheckout.ts';
export { useKhqrCountdown } from './useKhqrCountdown.ts';
export type { KhqrPayment, UseKhqrPaymentOptions } from './useKhqrPayment.ts';
export { useKhqrPayment } from './useKhqrPayment.ts';
