import { KhqrCheckoutElement } from './element.ts';

// Defining twice on one page (two bundles, or the drop-in plus a bundle) is harmless.
if (!customElements.get('khqr-checkout'))
  customElements.define('khqr-checkout', KhqrCheckoutElement);

declare global {
  interface HTMLElementTagNameMap {
    'khqr-checkout': KhqrCheckoutElement;
  }
}

export { KhqrCheckoutElement };
