// The sandbox and a proxy in front of it, shared by the browser tests (Vitest runs this in Node:
// the chromium project's global setup starts them, and its commands pay or fail QRs in them).
import { createKhqrProxy, type KhqrProxy } from '@khqr-checkout/proxy';
import { listen } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, type Sandbox, startSandbox } from '@khqr-checkout/sandbox';

import { BROWSER_TEST_PORT, TEST_MERCHANT } from './browser-constants.ts';

export interface KhqrServers {
  sandbox: Sandbox;
  proxy: KhqrProxy;
  proxyUrl: string;
  close(): Promise<void>;
}

let running: Promise<KhqrServers> | undefined;

/** Starts (once) the sandbox and the proxy; short grace and cache so expiry tests stay quick. */
export function khqrServers(): Promise<KhqrServers> {
  running ??= (async () => {
    const sandbox = await startSandbox({ port: 0 });
    const proxy = createKhqrProxy({
      bakong: {
        token: DEV_TOKEN,
        baseUrl: sandbox.url,
        timeoutMs: 1500,
        backoffMs: 20,
        retries: 0,
      },
      merchant: { accounts: [TEST_MERCHANT], name: 'KHQR Shop' },
      allowedOrigins: [
        `http://localhost:${BROWSER_TEST_PORT}`,
        `http://127.0.0.1:${BROWSER_TEST_PORT}`,
      ],
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
  })();
  return running;
}
