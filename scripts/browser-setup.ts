import type { TestProject } from 'vitest/node';
import { TEST_MERCHANT } from '../test-utils/browser-constants.ts';
import { requireChromium } from '../test-utils/chromium.ts';
import { khqrServers } from '../test-utils/khqr-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    khqr: { proxyUrl: string; sandboxUrl: string; merchant: string };
  }
}

/**
 * Global setup of the chromium project (run by Vitest in its main process): Chromium must exist;
 * the sandbox and the proxy start, and the browser commands reach them through globalThis.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireChromium();
  const servers = await khqrServers();
  (globalThis as { __khqrServers?: unknown }).__khqrServers = servers;
  project.provide('khqr', {
    proxyUrl: servers.proxyUrl,
    sandboxUrl: servers.sandbox.url,
    merchant: TEST_MERCHANT,
  });
  return () => servers.close();
}
