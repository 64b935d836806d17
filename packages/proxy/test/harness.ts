// Sandbox + proxy over real HTTP on 127.0.0.1, with every response and log line captured so the
// suite can prove the token and payer IDs never leave the server.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKhqrProxy,
  type KhqrProxy,
  type KhqrProxyOptions,
  type Logger,
  MemoryStore,
  openEmbedded,
  type PaidEvent,
  type ProxyAlert,
  type ProxyStore,
  type SqlDatabase,
} from '@khqr-checkout/proxy';
import { listen } from '@khqr-checkout/proxy/node';
import { RedisStore } from '@khqr-checkout/proxy/redis';
import { DEV_TOKEN, type Sandbox, startSandbox } from '@khqr-checkout/sandbox';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';

export const MERCHANT = 'khqr_shop@devb';
export const PAYERS = ['sok_dara@devb', 'chan_sophea@devb'];

/** Everything that left a proxy during a test file. */
export const captured: { responses: string[]; logs: string[] } = { responses: [], logs: [] };

export const captureLogger: Logger = {
  info: (m, f) => captured.logs.push(JSON.stringify({ m, f })),
  warn: (m, f) => captured.logs.push(JSON.stringify({ m, f })),
  error: (m, f) => captured.logs.push(JSON.stringify({ m, f })),
};

/** What a call to a proxy answered. */
export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> | null;
}

export interface ProxyUnderTest {
  proxy: KhqrProxy;
  url: string;
  paid: PaidEvent[];
  alerts: ProxyAlert[];
  post(
    path: string,
    body: unknown,
    init?: RequestInit & { headers?: Record<string, string> },
  ): Promise<Answer>;
  get(path: string, init?: RequestInit): Promise<Answer>;
  close(): Promise<void>;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  captured.responses.push(text, JSON.stringify([...response.headers]));
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json };
}

/** Starts a proxy over HTTP in front of `sandbox`, with the sandbox clock. */
export async function startProxy(
  sandbox: Sandbox,
  options: Omit<Partial<KhqrProxyOptions>, 'validate'> & {
    tokenForBakong?: string;
    /** @default accept every browser QR, bound to no order; null: no hook at all */
    validate?: KhqrProxyOptions['validate'] | null;
  } = {},
): Promise<ProxyUnderTest> {
  const paid: PaidEvent[] = [];
  const alerts: ProxyAlert[] = [];
  const { tokenForBakong, validate = () => true, ...rest } = options;
  const proxy = createKhqrProxy({
    bakong: {
      token: tokenForBakong ?? DEV_TOKEN,
      baseUrl: sandbox.url,
      timeoutMs: 2000,
      backoffMs: 20,
    },
    merchant: { accounts: [MERCHANT], name: 'KHQR Shop', city: 'Phnom Penh' },
    allowedOrigins: ['https://shop.test'],
    // Never the working directory's .khqr-data: a pause or a count left there by one test (or a
    // demo) would leak into the next.
    database: temporaryDataDir('harness'),
    logger: captureLogger,
    now: () => sandbox.clock.now(),
    onPaid: (event) => {
      paid.push(event);
    },
    onAlert: (alert) => {
      alerts.push(alert);
    },
    graceMs: 2000,
    sweeper: false,
    ...(validate ? { validate } : {}),
    ...rest,
  });
  await proxy.ready();
  const server = await listen(proxy, 0);
  return {
    proxy,
    url: server.url,
    paid,
    alerts,
    post: (path, body, init = {}) =>
      request(`${server.url}${path}`, {
        method: 'POST',
        ...init,
        headers: { 'content-type': 'application/json', ...init.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, init = {}) => request(`${server.url}${path}`, init),
    async close() {
      await server.close();
      await proxy.close();
    },
  };
}

/**
 * The set-ups the suite runs against: one instance on the embedded database (the default), or
 * two instances sharing a real Postgres server and a real Redis, as a merchant runs several.
 */
export type SetupKind = 'embedded' | 'postgres';

let embedded: Promise<{ database: SqlDatabase; dir: string }> | undefined;
/** One embedded database per test file, in a temporary directory; each set-up gets its own schema. */
export function embeddedDatabase(): Promise<SqlDatabase> {
  embedded ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khqr-ledger-'));
    return { database: await openEmbedded(dir), dir };
  })();
  return embedded.then((e) => e.database);
}

/** Closes the file's embedded database and removes its directory. */
export async function closeEmbeddedDatabase(): Promise<void> {
  if (!embedded) return;
  const { database, dir } = await embedded;
  embedded = undefined;
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}

let schemas = 0;
/** A schema name no other set-up of this process uses. */
export const freshSchema = () => `t${process.pid}_${++schemas}`;

/** What each instance of a set-up is given: where its ledger is, and its coordination store. */
export async function setupFor(
  kind: SetupKind,
  count: number,
  servers: { postgresUrl?: string; redisUrl?: string },
  now?: () => number,
): Promise<Array<{ database: string | SqlDatabase; schema: string; store: ProxyStore }>> {
  const schema = freshSchema();
  if (kind === 'embedded')
    return [{ database: await embeddedDatabase(), schema, store: new MemoryStore(now) }];
  const prefix = `khqr-test-${process.pid}-${schema}:`;
  return Array.from({ length: count }, () => ({
    database: servers.postgresUrl as string,
    schema,
    store: new RedisStore(new Redis(servers.redisUrl as string), { prefix }),
  }));
}

export const startBank = () => startSandbox({ port: 0, accounts: [MERCHANT, ...PAYERS] });

/** Asserts nothing captured holds a secret: the tokens given, or a payer's account ID. */
export function expectNoLeaks(secrets: string[]): void {
  expect(captured.responses.length + captured.logs.length).toBeGreaterThan(0);
  for (const text of [...captured.responses, ...captured.logs]) {
    for (const secret of [...secrets, ...PAYERS])
      expect(text.includes(secret), `leaked ${secret.slice(0, 12)}… in ${text.slice(0, 200)}`).toBe(
        false,
      );
  }
}
