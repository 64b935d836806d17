import { requireChromium } from '../test-utils/chromium.ts';

/** Vitest global setup of the chromium project: fail loudly when Chromium is missing. */
export default function setup(): void {
  requireChromium();
}
