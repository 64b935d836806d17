// The single-file build for a plain <script> tag: registers <khqr-checkout>.
import './define.ts';

export { KhqrCheckoutElement } from './khqr-checkout.ts';
