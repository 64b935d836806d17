// A sandbox and a proxy in front of it for the browser tests (Vitest runs this in Node: each
// browser project's global setup starts its own set, and its commands pay or fail QRs in them).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKhqrProxy, type KhqrProxy } from '@khqr-checkout/proxy';
import { nodeHandler } from '@khqr-checkout/proxy/node';
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
  /**
   * The proxy's URL. Beside its routes: `/elsewhere/*`, a second proxy of the same shop whose
   * allowedOrigins lists only `https://shop.example` (so it refuses the test page), and
   * `GET /dead-port`, `{port}` of a port nothing listens on (a proxy that is not running).
   */
  proxyUrl: string;
  close(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {} };

/** A port that was free a moment ago and that nothing listens on now. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a sandbox and a proxy in front of it; short grace and cache so expiry tests stay quick. */
export async function startKhqrServers(): Promise<KhqrServers> {
  const sandbox = await startSandbox({ port: 0 });
  const bakong = {
    token: DEV_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: 1500,
    backoffMs: 20,
    retries: 0,
  };
  const merchant = { accounts: [TEST_MERCHANT], name: 'KHQR Shop' };
  const proxy = createKhqrProxy({
    database: temporaryDataDir('browser-tests'),
    bakong,
    merchant,
    // The cards under test make their QRs in the page: accepted, bound to no order.
    validate: () => true,
    allowedOrigins: [BROWSER_TEST_PORT, BROWSER_TEST_PORT_REACT18].flatMap((port) => [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
    ]),
    graceMs: 1000,
    notFoundCacheMs: 100,
    rateLimit: { perClient: 100_000, perMd5: 100_000, windowMs: 60_000 },
    logger: quiet,
  });
  // The same shop's proxy set up for another site: the test page's origin is not listed.
  const elsewhere = createKhqrProxy({
    database: temporaryDataDir('browser-tests-elsewhere'),
    bakong,
    merchant,
    basePath: '/elsewhere',
    allowedOrigins: ['https://shop.example'],
    sweeper: false,
    logger: quiet,
  });
  const api = nodeHandler(proxy);
  const elsewhereApi = nodeHandler(elsewhere);
  const dead = await deadPort();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/elsewhere/')) return void elsewhereApi(req, res);
    if (req.url === '/dead-port')
      return void res
        .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end(JSON.stringify({ port: dead }));
    void api(req, res);
  });
  // A deep accept queue, as the proxy's own listen() has.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  return {
    sandbox,
    proxy,
    proxyUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await proxy.close();
      await elsewhere.close();
      await sandbox.close();
    },
  };
}
