// A sandbox and a proxy in front of it for the browser tests (Vitest runs this in Node: each
// browser project's global setup starts its own set, and its commands pay or fail QRs in them).
import { createKhqrProxy, type KhqrProxy } from '@khqr-checkout/proxy';
import { listen } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, type Sandbox, startSandbox } from '@khqr-checkout/sandbox';

import {
  BROWSER_TEST_PORT,
  BROWSER_TEST_PORT_REACT18,
  TEST_MERCHANT,
} from './browser-constants.ts';
import { temporaryDataDir } from './data-dir.ts';

export interface KhqrServers {
  sandbox: Sandbox;
  proxy: KhqrProxy;
  proxyUrl: string;
  close(): Promise<void>;
}

/** Starts a sandbox and a proxy in front of it; short grace and cache so expiry tests stay quick. */
export async function startKhqrServers(): Promise<KhqrServers> {
  const sandbox = await startSandbox({ port: 0 });
  const proxy = createKhqrProxy({
    database: temporaryDataDir('browser-tests'),
    bakong: {
      token: DEV_TOKEN,
      baseUrl: sandbox.url,
      timeoutMs: 1500,
      backoffMs: 20,
      retries: 0,
    },
    merchant: { accounts: [TEST_MERCHANT], name: 'KHQR Shop' },
    // The cards under test make their QRs in the page: accepted, bound to no order.
    validate: () => true,
    allowedOrigins: [BROWSER_TEST_PORT, BROWSER_TEST_PORT_REACT18].flatMap((port) => [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
    ]),
    graceMs: 1000,
    notFoundCacheMs: 100,
    rateLimit: { perClient: 100_000, perMd5: 100_000, windowMs: 60_000 },
    logger: { info() {}, warn() {}, error() {} },
  });
  const server = await listen(proxy, 0);
  return {
    sandbox,
    proxy,
    proxyUrl: server.url,
    async close() {
      await server.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}
