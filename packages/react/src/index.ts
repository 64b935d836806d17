'use client';
// A client module: the card and hooks run in the browser (and in server rendering). A Next.js server
// component that renders them directly fails at build with Next's own clear error.

export type { KhqrCheckoutDetail, KhqrCheckoutProps } from './KhqrCheckout.tsx';
export { KhqrCheckout } from './KhqrCheckout.tsx';
export { useKhqr } from './useKhqr.ts';
export type { KhqrCheckoutQuery, UseKhqrCheckoutOptions } from './useKhqrCheckout.ts';
export { khqrCheckoutKey, useKhqrCheckout } from './useKhqrCheckout.ts';
export { useKhqrCountdown } from './useKhqrCountdown.ts';
export type { KhqrPayment, UseKhqrPaymentOptions } from './useKhqrPayment.ts';
export { useKhqrPayment } from './useKhqrPayment.ts';
