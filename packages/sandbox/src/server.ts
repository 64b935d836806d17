import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ADMIN_PREFIX,
  type AdminContext,
  type Counters,
  describe,
  handleAdmin,
} from './admin-api.ts';
import { BAKONG_ENDPOINTS, type BakongContext, handleBakong } from './bakong-api.ts';
import { createClock, type SandboxClock } from './clock.ts';
import { answeredErrorCode, error, MESSAGES, sendEnvelope } from './envelope.ts';
import { alterItems, type Fault, type FaultSpec, FaultTable, parseFault } from './faults.ts';
import { sendJson, sendText } from './http.ts';
import { Ledger, type PayOptions, type QrRef } from './ledger.ts';
import { DailyQuota, QUOTA_ENVELOPE } from './quota.ts';
import { DEV_EMAIL, DEV_TOKEN, type SandboxToken, type TokenInput, TokenStore } from './tokens.ts';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** @default 4010; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' (loopback only) */
  host?: string;
  /** Bearer tokens accepted by the check endpoints. @default the development token */
  tokens?: TokenInput[];
  /** The base clock (ms); the admin API shifts it. @default Date.now */
  clock?: () => number;
  /** Bakong accounts `check_bakong_account` knows, besides every receiver of a seen QR. */
  accounts?: string[];
  /** A JSON file that keeps the ledger across restarts. @default in memory only */
  persist?: string;
  /** Seed of the generator behind `share` faults. @default 1 */
  seed?: number;
  /**
   * Bakong API calls a day (midnight to midnight in Phnom Penh, on the sandbox clock) before
   * each further call is answered with errorCode 17. @default no limit
   */
  dailyLimit?: number | null;
  /**
   * Counts each md5 of a `check_transaction_by_md5_list` call against `dailyLimit`, instead of the
   * call once: nobody knows which Bakong does. @default false
   */
  quotaCountsListItems?: boolean;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://host:port`, with no trailing slash. */
  url: string;
  /** The bank-app page. */
  bankAppUrl: string;
  clock: SandboxClock;
  /** Records a QR as scanned by the bank app. */
  see(qr: string): ReturnType<typeof describe>;
  /**
   * Empties the bank app's list of QRs ("Clear list"): payments and failures stay recorded, and
   * a QR seen afterwards is listed. Returns how many left the list.
   */
  clearList(): number;
  pay(ref: QrRef | string, options?: PayOptions): ReturnType<typeof describe>;
  fail(ref: QrRef | string): ReturnType<typeof describe>;
  issueToken(ttlMs?: number, email?: string): SandboxToken;
  expireToken(token: string): boolean;
  injectFault(spec: FaultSpec): Fault;
  clearFaults(): void;
  /**
   * The token's daily quota: `setLimit(n)`, `setPerMd5(bool)`,
   * `state()` ({dailyLimit, perMd5, used, refused, resetsAt}).
   */
  quota: Pick<DailyQuota, 'setLimit' | 'setPerMd5' | 'state'>;
  /**
   * Requests per Bakong endpoint, by HTTP status (`reset`, `hang` for those faults) and by the
   * errorCode of the envelopes answered.
   */
  counters(): Counters;
  /** Forgets QRs, transactions, faults and counters; keeps tokens; resets the clock offset. */
  reset(): void;
  close(): Promise<void>;
}

const PUBLIC = new URL('../public/', import.meta.url);
const require = createRequire(import.meta.url);
/** nginx's error page, as the gateway in front of Bakong sends it. */
const nginxPage = (status: string) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
const ENDPOINTS = Object.keys(BAKONG_ENDPOINTS);
const STATIC: Record<string, [file: URL | string, type: string]> = {
  '/bank/': [new URL('index.html', PUBLIC), 'text/html; charset=utf-8'],
  '/bank/app.js': [new URL('app.js', PUBLIC), 'text/javascript; charset=utf-8'],
  '/bank/app.css': [new URL('app.css', PUBLIC), 'text/css; charset=utf-8'],
  '/bank/jsqr.js': [require.resolve('jsqr'), 'text/javascript; charset=utf-8'],
};
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/**
 * Starts a simulated Bakong Open API on `host:port`.
 * @example
 * const sandbox = await startSandbox({ port: 0 });
 * // POST `${sandbox.url}/v1/check_transaction_by_md5` with `Authorization: Bearer ${DEV_TOKEN}`
 * sandbox.pay({ qr });
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = createClock(options.clock);
  const tokens = new TokenStore(
    options.tokens ?? [{ token: DEV_TOKEN, email: DEV_EMAIL, expiresAt: null }],
  );
  const faults = new FaultTable(options.seed ?? 1);
  let counters: Counters = {};
  // Every change is on disk before the sandbox answers, as a payment Bakong reports is durable:
  // a process killed right after a payment still has it when it starts again.
  const save = () => flush();
  const flush = () => {
    if (!options.persist) return;
    // Written beside and renamed, so a crash never leaves half a file.
    const tmp = `${options.persist}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ledger: ledger.toJSON() }));
    renameSync(tmp, options.persist);
  };
  const ledger = new Ledger(() => clock.now(), save);
  if (options.persist && existsSync(options.persist)) {
    const saved = JSON.parse(readFileSync(options.persist, 'utf8')) as { ledger?: object };
    ledger.load(saved.ledger ?? {});
  }
  const accounts = new Set(
    options.accounts ?? ['sok_dara@devb', 'chan_sophea@devb', 'khqr_checkout@devb'],
  );
  let url = '';
  const quota = new DailyQuota(
    () => clock.now(),
    options.dailyLimit ?? null,
    options.quotaCountsListItems ?? false,
  );
  const bakong: BakongContext = {
    ledger,
    tokens,
    now: () => clock.now(),
    baseUrl: () => url,
    // Every receiver of a seen QR exists too.
    accountExists: (id) =>
      accounts.has(id) || ledger.list().some((r) => r.data?.bakongAccountId === id),
    quota,
  };
  const reset = () => {
    quota.reset();
    ledger.reset();
    faults.clear();
    counters = {};
    clock.advance(-clock.offset);
  };
  const admin: AdminContext = {
    ledger,
    tokens,
    faults,
    clock,
    get counters() {
      return counters;
    },
    endpoints: ENDPOINTS,
    quota,
    reset,
  };

  const hanging = new Set<ServerResponse>();
  const counter = (name: string) => {
    counters[name] ??= { requests: 0, byStatus: {}, byErrorCode: {} };
    return counters[name];
  };
  const tally = (by: Record<string, number>, key: string) => {
    by[key] = (by[key] ?? 0) + 1;
  };
  // Read once the answer is sent, so every path that answers is counted the same way.
  const countAnswer = (name: string, res: ServerResponse) => {
    const c = counter(name);
    tally(c.byStatus, String(res.statusCode));
    const errorCode = answeredErrorCode(res);
    if (errorCode !== null) tally(c.byErrorCode, String(errorCode));
  };

  async function bakongRequest(
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    counter(name).requests++;
    res.on('finish', () => countAnswer(name, res));
    if (quota.take()) {
      req.resume();
      sendEnvelope(res, 200, QUOTA_ENVELOPE);
      return;
    }
    const fault = faults.take(name);
    switch (fault?.kind) {
      case 'latency':
        await sleep(fault.latencyMs ?? 1000);
        break;
      case 'server-error':
        req.resume();
        sendEnvelope(res, fault.status ?? 500, error(null, 'Internal Server Error'));
        return;
      case 'gateway-timeout':
        req.resume();
        await sleep(fault.latencyMs ?? 0);
        sendText(res, 504, 'text/html', nginxPage('504 Gateway Time-out'), { server: 'nginx' });
        return;
      case 'rate-limit':
        req.resume();
        sendEnvelope(res, 429, error(null, 'Too Many Requests'), {
          'retry-after': String(fault.retryAfter ?? 1),
        });
        return;
      case 'forbidden':
        req.resume();
        sendText(res, 403, 'text/html', nginxPage('403 Forbidden'), { server: 'nginx' });
        return;
      case 'non-json':
        req.resume();
        sendText(
          res,
          200,
          'text/html; charset=utf-8',
          '<html><body><h1>Service temporarily unavailable</h1></body></html>',
        );
        return;
      case 'unauthorized-in-200':
        req.resume();
        sendEnvelope(res, 200, error(6, MESSAGES.tokenRefused));
        return;
      case 'service-failed':
      case 'success-without-data': {
        const kind = fault.kind;
        await handleBakong(name, req, res, bakong, (answer) => alterItems(kind, answer));
        return;
      }
      case 'reset':
        tally(counter(name).byStatus, 'reset');
        req.socket.destroy();
        return;
      case 'hang':
        tally(counter(name).byStatus, 'hang');
        req.resume();
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
    }
    await handleBakong(name, req, res, bakong);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Only the path matters; `new URL` would throw on request targets such as `//`.
    const path = (req.url ?? '/').split(/[?#]/, 1)[0] as string;
    const name = /^\/v1\/([a-z_0-9]+)$/.exec(path)?.[1];
    if (name !== undefined && name in BAKONG_ENDPOINTS) return bakongRequest(name, req, res);
    if (path.startsWith(`${ADMIN_PREFIX}/`))
      return handleAdmin(path.slice(ADMIN_PREFIX.length), req, res, admin);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/bank') {
      res.writeHead(302, { location: '/bank/' }).end();
      return;
    }
    const file = STATIC[path];
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      sendText(res, 200, file[1], readFileSync(file[0]), PAGE_HEADERS);
      return;
    }
    req.resume();
    sendEnvelope(res, 404, error(null, `Not Found: ${path.slice(0, 100)}`));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      // A bug must never take the sandbox down: answer 500 and keep serving.
      console.error('[sandbox] internal error', e);
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal sandbox error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_e, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  const ref = (r: QrRef | string): QrRef =>
    typeof r === 'string' ? (/^[0-9a-f]{32}$/i.test(r) ? { md5: r } : { qr: r }) : r;
  return {
    url,
    bankAppUrl: `${url}/bank/`,
    clock,
    see: (qr) => describe(ledger.see(qr, 'scan'), clock.now()),
    clearList: () => ledger.clearList(),
    pay: (r, opts) => describe(ledger.pay(ref(r), opts), clock.now()),
    fail: (r) => describe(ledger.fail(ref(r)), clock.now()),
    issueToken: (ttlMs, email) => tokens.issue(clock.now(), ttlMs, email ?? null),
    expireToken: (token) => tokens.expire(token, clock.now()),
    injectFault: (spec) => faults.add(parseFault(spec, ENDPOINTS)),
    clearFaults: () => faults.clear(),
    quota,
    counters: () => structuredClone(counters),
    reset,
    async close() {
      flush();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
