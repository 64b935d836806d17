export { KhqrCheckoutElement } from './element.ts';
export type { KhqrErrorDetail, KhqrErrorEvent, KhqrEvent, KhqrEventDetail } from './events.ts';
