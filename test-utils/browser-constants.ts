// Constants shared by the Vitest config (loaded by plain Node) and the browser-test servers.

/**
 * The port Vitest's browser page is served from, so the test proxy can allow that origin.
 * `KHQR_BROWSER_TEST_PORT` moves it (and the react18 one just above it): two runs side by side.
 */
export const BROWSER_TEST_PORT = Number(process.env.KHQR_BROWSER_TEST_PORT) || 63315;
/** The same for the react18-chromium project (both may run at once). */
export const BROWSER_TEST_PORT_REACT18 = BROWSER_TEST_PORT + 1;
/** The merchant account browser tests generate QRs for. */
export const TEST_MERCHANT = 'khqr_shop@devb';
