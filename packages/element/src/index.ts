export type { KhqrErrorDetail, KhqrErrorEvent, KhqrEvent, KhqrEventDetail } from './events.ts';
export { KhqrCheckoutElement } from './khqr-checkout.ts';
