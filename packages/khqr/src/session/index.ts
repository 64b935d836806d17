export type { CheckoutFields } from './checkout-input.ts';
export { checkoutInput } from './checkout-input.ts';
export type {
  CheckoutSession,
  CheckoutSessionOptions,
  CheckSignal,
  SessionChannel,
  SessionEnvironment,
  SessionProblem,
  SessionSnapshot,
  SessionState,
} from './checkout-session.ts';
export { createCheckoutSession, idleSnapshot } from './checkout-session.ts';
export { keepQr, keptQr, pageTabs } from './page.ts';
export type { CheckAnswer, DelayContext, PollPolicy } from './policy.ts';
export { DEFAULT_POLICY, interpretAnswer, nextPollDelay } from './policy.ts';
export { requestCheckout } from './request-checkout.ts';
