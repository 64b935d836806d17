// Child process of `pnpm bench`: the sandbox and the proxy, apart from the load generator so the
// two do not share an event loop. Prints one JSON line: the URLs and the md5s to poll.
import { createKhqrProxy } from '@khqr-checkout/proxy';
import { listen } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import { temporaryDataDir } from '../test-utils/data-dir.ts';

const checkouts = Number(process.argv[2] ?? 100);
const sandbox = await startSandbox({ port: 0 });
const proxy = createKhqrProxy({
  database: temporaryDataDir('bench-proxy'),
  bakong: {
    token: DEV_TOKEN,
    baseUrl: sandbox.url,
    budget: { concurrency: 16, ratePerSecond: 1000 },
  },
  merchant: { accounts: ['bench_shop@devb'], name: 'Bench Shop' },
  logger: { info() {}, warn() {}, error() {} },
  // Every simulated widget comes from 127.0.0.1: per-client limits would throttle the load run itself.
  rateLimit: { perClient: 10_000_000, perMd5: 10_000_000, windowMs: 60_000 },
});
const md5s: string[] = [];
for (let i = 0; i < checkouts; i++) {
  md5s.push((await proxy.createCheckout({ amount: 1000 + i, currency: 'KHR', ttl: 600 })).md5);
}
const server = await listen(proxy, 0);
console.log(JSON.stringify({ proxyUrl: server.url, sandboxUrl: sandbox.url, md5s }));
process.on('SIGTERM', () => {
  void Promise.all([server.close(), proxy.close(), sandbox.close()]).then(() => process.exit(0));
});
