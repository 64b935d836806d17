export type { KHQRResponse } from './bakong-khqr.ts';
export { BakongKHQR, khqrData, SourceInfo } from './bakong-khqr.ts';
export type { KhqrOptionalData } from './info.ts';
export { IndividualInfo, MerchantInfo } from './info.ts';
