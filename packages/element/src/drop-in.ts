// The single-file build for a plain <script> tag (dist/khqr-checkout.js, an IIFE that sets the
// global `KhqrCheckout`): registers <khqr-checkout>. Bundlers import `./define` or `.` instead,
// the ES modules tsc writes (dist/define.js, dist/element.js); the two never share a file name.
import './define.ts';

export { KhqrCheckoutElement } from './element.ts';
