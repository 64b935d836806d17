import type { TestProject } from 'vitest/node';
import { TEST_MERCHANT } from '../test-utils/browser-constants.ts';
import { requireChromium } from '../test-utils/chromium.ts';
import { type KhqrServers, startKhqrServers } from '../test-utils/khqr-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    khqr: { proxyUrl: string; sandboxUrl: string; merchant: string };
    /** The React major the project's React tests must run on (react18-* projects: 18). */
    reactMajor: string;
  }
}

/**
 * Global setup of a browser project (run by Vitest in its main process): Chromium must exist; the
 * project's own sandbox and proxy start (so one project's injected outage or reset never reaches
 * another's tests), and its browser commands find them on globalThis by project name.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireChromium();
  const servers = await startKhqrServers();
  const shared = globalThis as { __khqrServers?: Record<string, KhqrServers> };
  shared.__khqrServers ??= {};
  const all = shared.__khqrServers;
  all[project.name] = servers;
  project.provide('khqr', {
    proxyUrl: servers.proxyUrl,
    sandboxUrl: servers.sandbox.url,
    merchant: TEST_MERCHANT,
  });
  return async () => {
    delete all[project.name];
    await servers.close();
  };
}
