#!/usr/bin/env node
// `pnpm proxy -- --port 4020`: the proxy as a standalone server beside a PHP or Python site.
import { parseArgs } from 'node:util';
import { defaultDataDir } from './database.ts';
import { listen } from './node.ts';
import { createKhqrProxy, type KhqrProxyOptions } from './proxy.ts';
import { parseRelay, relayAddress, relayFromEnv } from './relay.ts';
import type { ProxyStore } from './store.ts';
import { webhookDelivery } from './webhook.ts';

const HELP = `Usage: khqr-proxy [--port 4020] [--host 127.0.0.1]

Configured by environment variables:
  BAKONG_TOKEN            the merchant's Bakong Open API token (required)
  BAKONG_BASE_URL         https://api-bakong.nbc.gov.kh, https://sit-api-bakong.nbc.gov.kh, or a loopback sandbox (required)
  KHQR_MERCHANT_ACCOUNTS  comma-separated Bakong account IDs that may receive payments (required)
  KHQR_MERCHANT_NAME      name on server-created QRs                    default "Merchant"
  KHQR_MERCHANT_CITY      city on server-created QRs                    default "Phnom Penh"
  KHQR_ALLOWED_ORIGINS    comma-separated origins of the shop's pages (CORS)
  KHQR_BASE_PATH          mount path of the routes                      default ""
  KHQR_CHECKOUT_SECRET    enables POST /checkouts with "Authorization: Bearer <secret>"
  KHQR_PAID_WEBHOOK_URL   POSTed the paid event {id, type: "khqr.paid", orderId, md5, amountMinor, …},
                          signed X-Khqr-Signature: t=<unix s>,v1=<HMAC-SHA256(KHQR_CHECKOUT_SECRET,
                          "<t>.<body>")>; retried until it answers 2xx (first within 30 s, then for 3 days)
  KHQR_WEBHOOK_SECRET     signs the webhook instead of KHQR_CHECKOUT_SECRET (recommended: a secret
                          your back end never sends anywhere)
  KHQR_DATA_DIR           the embedded ledger's directory (checkouts, settlements)  default ./.khqr-data
  DATABASE_URL            postgres://… instead: several instances share one ledger (needs the pg package)
  KHQR_DAILY_BUDGET       Bakong calls allowed a day (Phnom Penh), paced over the day; unset: unlimited
                          until Bakong answers errorCode 17, then what that day cost
  KHQR_TRUST_PROXY        how many reverse proxies in front append to X-Forwarded-For ("1": one
                          nginx or load balancer); the client's address is that many from the right
  REDIS_URL               share locks and rate limits between instances (needs the ioredis package)
  HTTPS_PROXY             a forward proxy (relay) in Cambodia for Bakong's calls, for a server hosted
                          elsewhere: http://[user:password@]relay.example:8888; each call is a CONNECT
                          tunnel, so TLS and the token stay end to end to Bakong (https_proxy too)
  HTTP_PROXY              the same for an http:// base URL, a sandbox (http_proxy too)
  NO_PROXY                hosts reached directly, not through the relay: comma-separated host,
                          .domain, host:port or "*" (no_proxy too)`;

function fail(message: string): never {
  console.error(`khqr-proxy: ${message}\n\n${HELP}`);
  process.exit(2);
}

const args = process.argv.slice(2);
let values: { port: string; host: string; help?: boolean };
try {
  values = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      port: { type: 'string', default: '4020' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values as typeof values;
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const env = process.env;
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be 0–65535, got ${values.port}`);
if (!env.BAKONG_TOKEN) fail('BAKONG_TOKEN is not set.');
if (!env.BAKONG_BASE_URL) fail('BAKONG_BASE_URL is not set.');
const accounts = list(env.KHQR_MERCHANT_ACCOUNTS);
if (accounts.length === 0) fail('KHQR_MERCHANT_ACCOUNTS is not set.');
if (env.KHQR_PAID_WEBHOOK_URL && !env.KHQR_WEBHOOK_SECRET && !env.KHQR_CHECKOUT_SECRET)
  fail(
    'KHQR_PAID_WEBHOOK_URL needs KHQR_WEBHOOK_SECRET (or KHQR_CHECKOUT_SECRET) to sign the events.',
  );

let store: ProxyStore | undefined;
if (env.REDIS_URL) {
  const [{ Redis }, { RedisStore }] = await Promise.all([
    import('ioredis').catch(() =>
      fail('REDIS_URL is set but the ioredis package is not installed.'),
    ),
    import('./redis-store.ts'),
  ]);
  store = new RedisStore(new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 }));
}

let options: KhqrProxyOptions;
let relay: string | undefined;
try {
  relay = relayFromEnv(env.BAKONG_BASE_URL, env);
  options = {
    bakong: {
      token: env.BAKONG_TOKEN,
      baseUrl: env.BAKONG_BASE_URL,
      ...(env.KHQR_DAILY_BUDGET ? { dailyBudget: Number(env.KHQR_DAILY_BUDGET) } : {}),
      ...(relay ? { relay } : {}),
    },
    merchant: {
      accounts,
      name: env.KHQR_MERCHANT_NAME ?? 'Merchant',
      city: env.KHQR_MERCHANT_CITY ?? 'Phnom Penh',
    },
    allowedOrigins: list(env.KHQR_ALLOWED_ORIGINS),
    basePath: env.KHQR_BASE_PATH ?? '',
    database: env.DATABASE_URL || defaultDataDir(env),
    ...(store ? { store } : {}),
    ...(env.KHQR_CHECKOUT_SECRET ? { checkoutSecret: env.KHQR_CHECKOUT_SECRET } : {}),
    ...(env.KHQR_PAID_WEBHOOK_URL
      ? {
          onPaid: webhookDelivery({
            url: env.KHQR_PAID_WEBHOOK_URL,
            secret: (env.KHQR_WEBHOOK_SECRET || env.KHQR_CHECKOUT_SECRET) as string,
          }),
        }
      : {}),
  };
} catch (error) {
  fail((error as Error).message);
}
let proxy: ReturnType<typeof createKhqrProxy>;
try {
  proxy = createKhqrProxy(options);
} catch (error) {
  fail((error as Error).message);
}
await proxy.ready().catch(async (error: Error) => {
  await proxy.close();
  fail(`the ledger could not be opened: ${error.message}`);
});
const hops = env.KHQR_TRUST_PROXY ? Number(env.KHQR_TRUST_PROXY) : 0;
if (!(Number.isInteger(hops) && hops >= 0 && hops <= 10))
  fail(
    `KHQR_TRUST_PROXY must be the number of reverse proxies in front, 0–10 (got ${JSON.stringify(env.KHQR_TRUST_PROXY)}).`,
  );
const server = await listen(proxy, port, values.host, { trustProxy: hops }).catch(
  (error: NodeJS.ErrnoException) =>
    fail(error.code === 'EADDRINUSE' ? `port ${port} is in use` : error.message),
);
console.log(
  `khqr-proxy listening on ${server.url}${options.basePath ?? ''} (POST /check, POST /deeplink, GET /health${env.KHQR_CHECKOUT_SECRET ? ', POST /checkouts' : ''}); Bakong ${relay ? `through the relay ${relayAddress(parseRelay(relay))}` : 'directly'}`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([server.close(), proxy.close()]).then(() => process.exit(0));
  });
}
