import {
  type BakongClient,
  type BakongClientOptions,
  createBakongClient,
  type SourceInfo,
} from './bakong-client.ts';
import { Checker, type CheckResult, type CheckSignal, SIGNALS_PER_CLIENT } from './checker.ts';
import {
  acceptBrowserQr,
  buildCheckout,
  type CheckoutInput,
  type CreatedCheckout,
  type MerchantConfig,
  type ValidateHook,
} from './checkout.ts';
import { defaultDataDir, openDatabase, type SqlDatabase } from './database.ts';
import { ProxyError } from './errors.ts';
import type { PaidEvent, ProxyAlert } from './events.ts';
import { type CheckoutRow, Ledger } from './ledger.ts';
import { consoleLogger, type Logger, redacting } from './logger.ts';
import type { UpstreamClass } from './outcome.ts';
import { parseRelay, relaySecrets } from './relay.ts';
import { type CrashPoint, Outbox } from './settlement.ts';
import { type CheckoutRecord, MemoryStore, type ProxyStore } from './store.ts';
import { TOKEN_WARNING_MS, tokenFingerprint, tokenHealth } from './token-health.ts';

/** Options of {@link createKhqrProxy}. */
export interface KhqrProxyOptions {
  /**
   * The Bakong client, or its options (`token`, `baseUrl`, `relay` for a forward proxy in
   * Cambodia, …). HTTPS_PROXY is not read here: pass `relay` (the standalone proxy reads it).
   */
  bakong: BakongClient | BakongClientOptions;
  /** The token, when `bakong` is a ready client: for the health endpoint and redaction only. */
  token?: string;
  merchant: MerchantConfig;
  /**
   * Origins allowed to call the proxy from a browser (CORS), the shop's own included when the
   * proxy is mounted in it: an Origin equal to the Host is not trusted by itself (DNS
   * rebinding). Requests without an Origin (servers, curl) are not browsers and pass. No `*`;
   * `http://localhost:*` (any port of one host) is for development.
   */
  allowedOrigins?: string[];
  /**
   * Where checkouts and settlements are kept (the ledger): a directory for the embedded database,
   * a `postgres://` URL (several instances share one; needs the `pg` package), or an open
   * {@link SqlDatabase} (the proxy then leaves closing it to you).
   * @default the embedded database in KHQR_DATA_DIR, else `.khqr-data` in the working directory
   */
  database?: string | SqlDatabase | undefined;
  /** The Postgres schema of the ledger's tables, so one database can hold several shops. @default 'khqr' */
  schema?: string | undefined;
  /** Locks and rate limits between instances. @default a MemoryStore; RedisStore for several instances */
  store?: ProxyStore;
  /** Mount path, e.g. `/api/khqr`: routes are `${basePath}/check`, `/deeplink`, `/health`, `/checkouts`. @default '' */
  basePath?: string;
  /**
   * Accepts browser-generated QRs by binding each to an order (look the bill number up): return
   * `{orderId, amount, currency}`, `true` for no order (a donation of any amount), or a refusal.
   * Without it, only QRs made by `createCheckout` are checked; a browser QR gets 422
   * `browser_qr_not_accepted`.
   */
  validate?: ValidateHook;
  /**
   * Fulfil the order here, never from the browser event. Called at least once per payment, after
   * the payment is committed to the ledger; a throw (or a crash) means it is called again later
   * with the same `event.id` (first retry within 30 s, then backoff for 3 days). Be idempotent on
   * `event.id`, and resolve only once the order is durably marked paid.
   */
  onPaid?: (event: PaidEvent) => void | Promise<void>;
  /**
   * Operator alerts: amount mismatches, late payments, failing settlements, token trouble. Each
   * kind (per payment or event, for those about one) reaches the hook at most once in 10 minutes,
   * however often it recurs (a refused token or a 403 on every check).
   */
  onAlert?: (alert: ProxyAlert) => void;
  /** Enables `POST /checkouts` for server-to-server creation, authorised by `Bearer <secret>`. */
  checkoutSecret?: string | undefined;
  /** Deep-link caller identity sent to Bakong. */
  sourceInfo?: SourceInfo;
  /** @default consoleLogger (JSON lines) */
  logger?: Logger;
  /** How long "not found" is reused, ms. @default 1000 */
  notFoundCacheMs?: number;
  /** A payment this long after expiry still counts, ms. @default 30000 */
  graceMs?: number;
  /** The shortest checkout `ttl`, seconds (demos and tests that show expiry). @default 60 */
  minTtlSeconds?: number;
  /**
   * Ask about every open checkout at once through check_transaction_by_md5_list (one call for up
   * to 50), falling back to single checks while Bakong refuses that endpoint. @default true
   */
  bulk?: boolean;
  /**
   * Keep asking Bakong about open checkouts nobody is polling (a closed tab), until expiry plus
   * grace, and about checkouts that expired without an answer until one comes.
   * @default { intervalMs: 10000 }
   */
  sweeper?: boolean | { intervalMs?: number };
  /** How often the outbox looks for settlements due for (re)delivery, ms. @default 1000 */
  deliveryIntervalMs?: number;
  /**
   * Limits follow what a request can cost. A check of a known md5 costs no Bakong call: it is
   * limited per md5 (`perMd5`), so 20 pages behind one carrier NAT address are never refused;
   * every request counts towards a generous `perClient`. Requests that can cost a call or a row
   * (an unknown md5, a browser QR, a signal, a deep link) also count towards `perClientCostly`,
   * and a client may register `browserQrsPerDay` browser QRs a day.
   * @default perClient 1200, perClientCostly 120, perMd5 60 per 60 s window; browserQrsPerDay 100
   */
  rateLimit?: {
    perClient?: number;
    perClientCostly?: number;
    perMd5?: number;
    windowMs?: number;
    browserQrsPerDay?: number;
  };
  /** @default Date.now */
  now?: () => number;
  /** For tests: runs at each named point of a settlement, so a test can crash the proxy there. */
  crashAt?: (point: CrashPoint) => void | Promise<void>;
}

/** Per request context the adapters pass: who is asking. */
export interface RequestContext {
  /** The client's address, for the per-client rate limits; absent or `undefined` when unknown. */
  clientIp?: string | undefined;
}

/** A running proxy. */
export interface KhqrProxy {
  /** The Fetch-standard handler: Node ≥ 20 (through the adapters), Workers, Deno, Bun. */
  handler(request: Request, context?: RequestContext): Promise<Response>;
  /** Server-generated KHQR for an order (the secure default). */
  createCheckout(input: CheckoutInput): Promise<CreatedCheckout>;
  /** The status of a registered md5, as the browser sees it. */
  check(md5: string): Promise<CheckResult>;
  /** Resolves once the ledger is open; rejects with the reason it could not open. */
  ready(): Promise<void>;
  /** Delivers every settlement that is due now (the outbox also does so on its own). */
  deliver(): Promise<void>;
  /**
   * Runs the scheduler's round now (the sweeper does so every interval): asks Bakong about open
   * checkouts that are due, within the daily budget. For runtimes without timers (a cron trigger).
   */
  sweep(): Promise<void>;
  /**
   * Delivers a given-up settlement again (after its handler was fixed): resolves false when no
   * undelivered settlement has that event id.
   */
  redeliver(eventId: string): Promise<boolean>;
  /** Stops the background work, and closes the store and the database it opened. */
  close(): Promise<void>;
}

const MD5 = /^[0-9a-f]{32}$/;
/** Marks an answer to a path that is none of the proxy's routes (the Node adapter reads it). */
const NO_ROUTE = 'x-khqr-no-route';
const BODY_LIMIT = 1024;
/** Milliseconds a new checkout's timestamp may move on to avoid another checkout's md5. */
const MAX_CLASH_BUMPS = 1000;
/** An alert of one kind (and payment or event) reaches `onAlert` at most once in this long. */
const ALERT_REPEAT_MS = 10 * 60_000;

/** The store, with its failures turned into 503 `store_unavailable` (a retry, never a 500). */
function guarded(store: ProxyStore): ProxyStore {
  // The cause goes to /health (`store.message`), not to every browser.
  const unavailable = (): never => {
    throw new ProxyError(
      503,
      'store_unavailable',
      'The shared store (locks, rate limits) does not answer.',
    );
  };
  return {
    claim: (key, ttlMs) => store.claim(key, ttlMs).catch(unavailable),
    release: (key) => store.release(key).catch(unavailable),
    hit: (key, windowMs) => store.hit(key, windowMs).catch(unavailable),
    ...(store.problem ? { problem: () => (store.problem as () => Promise<string | null>)() } : {}),
    close: () => store.close(),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

const problem = (e: ProxyError) =>
  json(e.status, { error: { code: e.code, message: e.message } }, e.headers);

async function readBody(request: Request): Promise<Record<string, unknown>> {
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
    throw new ProxyError(
      415,
      'unsupported_media_type',
      'Send JSON with Content-Type: application/json.',
    );
  }
  if (Number(request.headers.get('content-length') ?? 0) > BODY_LIMIT)
    throw new ProxyError(413, 'too_large', 'The body is over 1 KiB.');
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const part = reader ? await reader.read() : { done: true as const, value: undefined };
    if (part.done) break;
    size += part.value.length;
    if (size > BODY_LIMIT) {
      await reader?.cancel();
      throw new ProxyError(413, 'too_large', 'The body is over 1 KiB.');
    }
    chunks.push(part.value);
  }
  let body: unknown;
  try {
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ProxyError(400, 'invalid_json', 'The body is not JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ProxyError(400, 'invalid_body', 'Send a JSON object.');
  return body as Record<string, unknown>;
}

const SIGNALS: readonly CheckSignal[] = ['paid', 'visible'];

/** The page's signal, if any: "paid" (the customer tapped "I've paid"), "visible" (back on the page). */
function signalOf(body: Record<string, unknown>): CheckSignal | undefined {
  if (body.signal === undefined) return undefined;
  if (!SIGNALS.includes(body.signal as CheckSignal))
    throw new ProxyError(400, 'invalid_signal', 'signal must be "paid" or "visible".');
  return body.signal as CheckSignal;
}

function md5Of(body: Record<string, unknown>): string {
  const md5 = body.md5;
  if (typeof md5 !== 'string' || !MD5.test(md5))
    throw new ProxyError(400, 'invalid_md5', 'md5 must be 32 lowercase hex characters.');
  return md5;
}

/** Compares in time independent of where the strings differ (no node:crypto: Workers run this too). */
function sameSecret(given: string, secret: string): boolean {
  let diff = given.length ^ secret.length;
  for (let i = 0; i < secret.length; i++) diff |= (given.charCodeAt(i) || 0) ^ secret.charCodeAt(i);
  return diff === 0;
}

/**
 * The khqr-checkout proxy: the browser asks it whether an md5 is paid; it asks Bakong with the
 * merchant's token and answers `{status, serverNow, expiresAt}` (and `paidAt` once paid) only.
 * @example
 * const proxy = createKhqrProxy({
 *   bakong: { token: process.env.BAKONG_TOKEN!, baseUrl: 'https://api-bakong.nbc.gov.kh' },
 *   merchant: { accounts: ['shop@aclb'], name: 'My Shop' },
 *   allowedOrigins: ['https://shop.example'],
 *   onPaid: (event) => orders.markPaid(event.orderId),
 * });
 * export default { fetch: proxy.handler };
 */
export function createKhqrProxy(options: KhqrProxyOptions): KhqrProxy {
  const token =
    'checkTransactionByMd5' in options.bakong ? (options.token ?? '') : options.bakong.token;
  // Every Bakong call is metered: the scheduler asks again on its own clock rather than the
  // client retrying a failed call behind its back (unless retries are configured).
  const client =
    'checkTransactionByMd5' in options.bakong
      ? options.bakong
      : createBakongClient({ retries: 0, ...options.bakong });
  const localNow = options.now ?? Date.now;
  // A store that does not answer (Redis down) makes a request 503 `store_unavailable`, which the
  // card treats as "reconnecting", never 500.
  const store: ProxyStore = guarded(options.store ?? new MemoryStore(localNow));
  const ownsClient = !('checkTransactionByMd5' in options.bakong);
  // The relay's user and password, in every form, are as secret as the token.
  const relay = 'checkTransactionByMd5' in options.bakong ? undefined : options.bakong.relay;
  const relayCredentials = relay ? relaySecrets(parseRelay(relay)) : [];
  const logger = redacting(options.logger ?? consoleLogger, () => [
    token,
    ...(options.checkoutSecret ? [options.checkoutSecret] : []),
    ...relayCredentials,
  ]);
  const merchant = options.merchant;
  if (!Array.isArray(merchant?.accounts) || merchant.accounts.length === 0) {
    throw new Error(
      '[khqr-proxy] merchant.accounts needs at least one Bakong account ID (KHQR_MERCHANT_ACCOUNTS).',
    );
  }
  const allowed = new Set(options.allowedOrigins ?? []);
  if (allowed.has('*'))
    throw new Error('[khqr-proxy] allowedOrigins cannot be "*": list the shop origins.');
  // `scheme://host:*`: every port of that one host (a development server on any port).
  const anyPort = [...allowed].filter((o) => o.endsWith(':*')).map((o) => o.slice(0, -1));
  const isAllowed = (origin: string) =>
    allowed.has(origin) ||
    anyPort.some(
      (prefix) => origin.startsWith(prefix) && /^\d{1,5}$/.test(origin.slice(prefix.length)),
    );
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const limits = {
    perClient: 1_200,
    perClientCostly: 120,
    perMd5: 60,
    windowMs: 60_000,
    browserQrsPerDay: 100,
    ...options.rateLimit,
  };
  const dailyBudget =
    'checkTransactionByMd5' in options.bakong ? null : (options.bakong.dailyBudget ?? null);
  if (dailyBudget !== null && !(Number.isInteger(dailyBudget) && dailyBudget >= 4))
    throw new Error(
      `[khqr-proxy] bakong.dailyBudget must be a whole number of calls, at least 4 (got ${dailyBudget}).`,
    );
  const graceMs = options.graceMs ?? 30_000;
  const minTtl = options.minTtlSeconds ?? 60;
  if (!(Number.isInteger(minTtl) && minTtl >= 1 && minTtl <= 600))
    throw new Error(`[khqr-proxy] minTtlSeconds must be whole seconds, 1–600 (got ${minTtl}).`);
  // Every alert is logged too (a standalone proxy has no hook); those about the token or the
  // network repeat on every check, so they are logged once a minute.
  // The hook (an SMS, a page) hears each kind once in ALERT_REPEAT_MS, per payment or event for
  // those about one (each is its own event).
  const lastLogged = new Map<string, number>();
  const lastHooked = new Map<string, number>();
  const alert = (event: ProxyAlert) => {
    const at = localNow();
    const repeating = event.type === 'unauthorized' || event.type === 'forbidden';
    if (!repeating || at - (lastLogged.get(event.type) ?? Number.NEGATIVE_INFINITY) >= 60_000) {
      lastLogged.set(event.type, at);
      logger.warn(`alert: ${event.type}`, { alert: event });
    }
    const subject = 'eventId' in event ? event.eventId : 'md5' in event ? event.md5 : '';
    const key = `${event.type}:${subject}`;
    if (at - (lastHooked.get(key) ?? Number.NEGATIVE_INFINITY) < ALERT_REPEAT_MS) return;
    if (lastHooked.size >= 10_000)
      for (const [k, t] of lastHooked) if (at - t >= ALERT_REPEAT_MS) lastHooked.delete(k);
    lastHooked.set(key, at);
    try {
      options.onAlert?.(event);
    } catch {
      // An alert hook must not break a check.
    }
  };
  const crash = options.crashAt ?? (() => undefined);

  // The ledger opens in the background; every route waits for it.
  const where = options.database ?? defaultDataDir();
  const ownsDatabase = typeof where === 'string';
  let database: SqlDatabase | undefined;
  const opened = (async () => {
    database = typeof where === 'string' ? await openDatabase(where) : where;
    const ledger = new Ledger(
      database,
      localNow,
      options.schema ?? 'khqr',
      await tokenFingerprint(token),
    );
    await ledger.open();
    logger.info('ledger open', { kind: database.kind, location: database.location });
    return ledger;
  })();
  opened.catch((error: unknown) => {
    const message = String((error as Error)?.message ?? error);
    logger.error('the ledger could not be opened: no payment can be recorded', { error: message });
    alert({ type: 'ledger-unavailable', message });
  });
  const ledgerUnavailable = () =>
    new ProxyError(503, 'ledger_unavailable', 'The payment records are not available right now.');

  let outbox: Outbox | undefined;
  let clockSync: ReturnType<typeof setInterval> | undefined;
  const parts = opened.then((ledger) => {
    outbox = new Outbox({ ledger, onPaid: options.onPaid, logger, alert, crash });
    // A Postgres server's clock is every instance's: keep this instance's offset from it fresh.
    if (ledger.db.kind === 'postgres') {
      clockSync = setInterval(() => void ledger.syncClock().catch(() => undefined), 600_000);
      clockSync.unref?.();
    }
    const checker = new Checker({
      client,
      ledger,
      store,
      outbox,
      logger,
      alert,
      crash,
      notFoundCacheMs: options.notFoundCacheMs ?? 1000,
      bulk: options.bulk ?? true,
      dailyBudget,
    });
    return { ledger, outbox, checker };
  });
  const use = () => parts.catch(() => Promise.reject(ledgerUnavailable()));

  const health = tokenHealth(token, localNow());
  if (health.expiresAt !== null && health.expiringSoon) {
    logger.warn('the Bakong token expires soon: renew it', {
      expiresAt: new Date(health.expiresAt).toISOString(),
    });
    alert({
      type: 'token-expiring',
      expiresAt: health.expiresAt,
      daysLeft: health.daysLeft ?? 0,
    });
  }
  let probe: { at: number; result: Awaited<ReturnType<BakongClient['probe']>> } | undefined;
  let probing: ReturnType<BakongClient['probe']> | undefined;

  async function createCheckout(input: CheckoutInput): Promise<CreatedCheckout> {
    const { ledger } = await use();
    // Two checkouts of one amount made in the same millisecond (one busy shop, or several proxy
    // instances on one database) would be the same KHQR, so one md5 for two orders: the ledger
    // adds a record only if its md5 is new, and a clash moves the QR's timestamp on by a
    // millisecond. QRs are stamped on the ledger's clock, the one that judges their expiry.
    const start = ledger.now();
    let record = buildCheckout(merchant, input, start, minTtl);
    for (let bump = 1; !(await ledger.add(record, graceMs)); bump++) {
      if (bump > MAX_CLASH_BUMPS)
        throw new ProxyError(503, 'busy', 'Could not make a unique QR; try again.');
      record = buildCheckout(merchant, input, start + bump, minTtl);
    }
    logger.info('checkout created', {
      md5: record.md5,
      checkoutId: record.checkoutId,
      orderId: record.orderId,
    });
    return {
      qr: record.qr,
      md5: record.md5,
      expiresAt: record.expiresAt,
      checkoutId: record.checkoutId,
    };
  }

  async function limit(key: string, max: number, windowMs = limits.windowMs): Promise<void> {
    const { count, resetMs } = await store.hit(key, windowMs);
    if (count > max) {
      throw new ProxyError(429, 'rate_limited', 'Too many checks; slow down.', {
        'retry-after': String(Math.max(1, Math.ceil(resetMs / 1000))),
      });
    }
  }

  async function postCheck(request: Request, context: RequestContext): Promise<Response> {
    const who = context.clientIp ?? 'unknown';
    await limit(`client:${who}`, limits.perClient);
    const body = await readBody(request);
    const md5 = md5Of(body);
    const signal = signalOf(body);
    await limit(`md5:${md5}`, limits.perMd5);
    const { ledger, checker } = await use();
    let row = await ledger.get(md5);
    if (!row || signal) await limit(`costly:${who}`, limits.perClientCostly);
    if (!row) {
      if (body.qr === undefined)
        throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
      if (typeof body.qr !== 'string' || body.qr.length > 512)
        throw new ProxyError(400, 'invalid_qr', 'qr must be a KHQR string.');
      // Anyone can make a browser QR, and each one is watched: a client registers a few dozen a day.
      await limit(`browser-qrs:${who}`, limits.browserQrsPerDay, 86_400_000);
      const accepted: CheckoutRecord = await acceptBrowserQr(
        md5,
        body.qr,
        merchant,
        ledger.now(),
        options.validate,
      );
      await ledger.add(accepted, graceMs);
      row = (await ledger.get(md5)) as CheckoutRow;
      logger.info('browser QR accepted', {
        md5,
        checkoutId: row.checkoutId,
        ...(row.orderId ? { orderId: row.orderId } : {}),
      });
    }
    return json(200, await checker.check(row, signal, who));
  }

  // A deep link is asked for once per QR: it is a metered call too.
  // Kept while the QR can be paid, then dropped (oldest first: each is set once).
  const deepLinks = new Map<string, { shortLink: string; until: number }>();
  async function postDeeplink(request: Request, context: RequestContext): Promise<Response> {
    const who = context.clientIp ?? 'unknown';
    await limit(`client:${who}`, limits.perClient);
    await limit(`costly:${who}`, limits.perClientCostly);
    const md5 = md5Of(await readBody(request));
    const { ledger, checker } = await use();
    const record = await ledger.get(md5);
    if (!record) throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
    const cached = deepLinks.get(md5);
    let shortLink = cached && cached.until > ledger.now() ? cached.shortLink : undefined;
    if (shortLink === undefined) {
      const unavailable = new ProxyError(
        502,
        'deeplink_unavailable',
        'No bank-app link is available right now.',
      );
      // A deep link confirms no payment: with a daily budget (configured or learned) the calls
      // are kept for those, and the card offers Download instead. Without one, a few a client.
      if (
        (await checker.budget.state()).limit !== null ||
        (await ledger.paused()) ||
        (await store.hit(`signal-client:${who}`, 3_600_000)).count > SIGNALS_PER_CLIENT ||
        !(await checker.take('link'))
      )
        throw unavailable;
      const outcome = await client.generateDeepLink(record.qr, options.sourceInfo);
      await checker.observe(outcome);
      if (outcome.kind !== 'success') throw unavailable;
      shortLink = outcome.data.shortLink;
      deepLinks.delete(md5);
      deepLinks.set(md5, { shortLink, until: record.watchUntil });
      for (const [key, link] of deepLinks) {
        if (link.until > ledger.now() && deepLinks.size <= 5_000) break;
        deepLinks.delete(key);
      }
    }
    return json(200, { shortLink });
  }

  async function getHealth(): Promise<Response> {
    const at = localNow();
    const t = tokenHealth(token, at);
    const [ledgerState, storeProblem] = await Promise.all([
      use().then(
        async ({ ledger, checker }) => ({
          ok: true as const,
          ledger,
          checker,
          outbox: await ledger.outboxHealth(),
          pause: await ledger.paused(),
        }),
        () => ({ ok: false as const }),
      ),
      store
        .problem?.()
        .catch(
          (error: unknown) =>
            `The store does not answer: ${String((error as Error)?.message ?? error)}`,
        ) ?? null,
    ]);
    const pause = ledgerState.ok ? ledgerState.pause : null;
    // What checks saw in the last minute is the answer (within seconds of Bakong's). Else one
    // probe (at most one in flight, one a minute), counted like any call and only when the
    // budget allows one; none while the quota is spent: Bakong is known not to answer checks.
    const checker = ledgerState.ok ? ledgerState.checker : undefined;
    const budget = await checker?.budget.state();
    const seen = checker?.lastAnswer;
    let reach: UpstreamClass | 'unknown' = 'unknown';
    if (seen && ledgerState.ok && ledgerState.ledger.now() - seen.at < 60_000)
      reach = seen.upstream;
    else if (pause?.kind !== 'quota' && budget) {
      // With a daily budget no probe is sent (calls are kept for payments): the last answer is
      // what is known. Without one, one probe a minute, counted, however many ask at once.
      if (budget.limit === null && (!probe || at - probe.at > 60_000)) {
        probing ??= (async () => {
          await checker?.take('probe');
          return client.probe();
        })().finally(() => {
          probing = undefined;
        });
        probe = { at, result: await probing };
      }
      if (probe) reach = probe.result;
    }
    // Which way the calls go: a payments engineer must know whether it is this server's address or
    // the relay's that Bakong judges, and which of the two to fix.
    const route = client.route ?? { via: 'direct' as const };
    const relayed = route.via === 'relay' ? route : undefined;
    const through = relayed ? ` through the relay ${relayed.relay}` : '';
    // Read after the probe: the relay's answer to the last CONNECT it refused.
    const refusedWith = relayed?.refusedWith ?? null;
    const refusal =
      refusedWith === 401
        ? 'the relay refused its user and password (tinyproxy answers 401 to a wrong password): check the user:password in the relay URL against its BasicAuth line.'
        : refusedWith === 407
          ? 'Proxy Authentication Required: the relay wants a user and password. Put them in the relay URL (http://user:password@host:port, bakong.relay or HTTPS_PROXY), or check them against its BasicAuth line.'
          : refusedWith === 403
            ? "Forbidden: the relay's access rules refuse this server or Bakong's host and port. Check its Allow line (this server's IP), ConnectPort 443 and its Filter (Bakong's API host)."
            : refusedWith !== null && refusedWith >= 500
              ? 'the relay could not open a connection to Bakong (its DNS or outbound network), or failed itself: see its log.'
              : 'the relay did not open the tunnel to Bakong: see its log.';
    const messages: Record<UpstreamClass | 'unknown', string> = {
      unknown:
        'Bakong was not asked lately: the daily budget keeps its calls for confirming payments.',
      reachable: relayed ? `Bakong answers${through}.` : 'Bakong answers from this network.',
      blocked: relayed
        ? `Bakong answered 403${through}: it only answers Cambodian IP addresses, and the relay's address is not one it accepts. Check that the relay runs in Cambodia.`
        : 'Bakong answered 403: it only answers Cambodian IP addresses. Run the proxy on a server in Cambodia, or send its calls through a relay there (bakong.relay, HTTPS_PROXY; see "Reaching Bakong from outside Cambodia" in the proxy README).',
      relay_unreachable: `The relay ${relayed?.relay ?? ''} could not be connected to (connection refused, unknown host or no route): check that it runs, its address and port, and that its firewall lets this server in.`,
      relay_refused: `The relay ${relayed?.relay ?? ''} answered ${refusedWith ?? 'something other than 200'} to CONNECT: ${refusal}`,
      unauthorized: 'Bakong refused the token (401 / errorCode 6): renew it and restart.',
      quota_exhausted: "Bakong's daily quota for this token is spent (errorCode 17).",
      rate_limited: 'Bakong answered 429 (too many requests): checks are slowed down.',
      server_error: 'Bakong answered with a server error (5xx): an outage on its side.',
      timeout: relayed
        ? `No answer in time${through}: the relay, or Bakong behind it.`
        : 'Bakong did not answer in time.',
      unreachable: relayed
        ? `The connection${through} failed after the relay took it (reset, TLS): see the relay's log.`
        : 'Bakong could not be reached (network or DNS).',
      bad_response:
        'Something other than Bakong answered (not JSON, a redirect, a malformed envelope): check BAKONG_BASE_URL, a captive portal or a relay in the way.',
    };
    // `via`: direct, relay (with its host:port, never its credentials) or a custom fetch.
    const way = {
      via: route.via,
      ...(relayed ? { relay: relayed.relay } : {}),
      ...(reach === 'relay_refused' && refusedWith !== null ? { relayStatus: refusedWith } : {}),
    };
    const upstream =
      pause?.kind === 'quota'
        ? {
            status: 'quota_exhausted',
            resetsAt: pause.until,
            ...way,
            message: `Bakong's daily quota for this token is spent; checks resume at ${new Date(pause.until).toISOString()} (midnight in Phnom Penh), and open checkouts are confirmed then.`,
          }
        : pause?.kind === 'token'
          ? { status: 'unauthorized', ...way, message: messages.unauthorized }
          : { status: reach, ...way, message: messages[reach] };
    // 503 whenever a payment made now could not be confirmed now: load balancers use /livez.
    const ok =
      !pause &&
      (reach === 'reachable' || reach === 'unknown') &&
      !t.expired &&
      ledgerState.ok &&
      !storeProblem &&
      !budget?.exhausted;
    const ledgerNow = ledgerState.ok ? ledgerState.ledger.now() : at;
    return json(ok ? 200 : 503, {
      ok,
      ledger: ledgerState.ok
        ? { ok: true, kind: ledgerState.ledger.db.kind }
        : {
            ok: false,
            message: 'The ledger could not be opened or does not answer; see the logs.',
          },
      settlements: ledgerState.ok
        ? {
            // False while a settlement waits for its handler over 10 minutes, or was given up.
            ok:
              ledgerState.outbox.abandoned === 0 &&
              (ledgerState.outbox.oldestUndeliveredAt === null ||
                ledgerNow - ledgerState.outbox.oldestUndeliveredAt < 600_000),
            undelivered: ledgerState.outbox.undelivered,
            oldestUndeliveredAgeMs:
              ledgerState.outbox.oldestUndeliveredAt === null
                ? null
                : Math.max(0, ledgerNow - ledgerState.outbox.oldestUndeliveredAt),
            abandoned: ledgerState.outbox.abandoned,
          }
        : null,
      store: { ok: !storeProblem, ...(storeProblem ? { message: storeProblem } : {}) },
      token: {
        expiresAt: t.expiresAt,
        daysLeft: t.daysLeft,
        expiringSoon: t.expiringSoon,
        expired: t.expired,
        warningDays: TOKEN_WARNING_MS / 86_400_000,
      },
      upstream,
      budget:
        budget === undefined
          ? null
          : {
              dailyBudget: budget.limit,
              spentToday: budget.spent,
              exhausted: budget.exhausted,
            },
      // Pages whose origin allowedOrigins lacks (a shop misconfigured, or someone else's page), in
      // the last hour, the most recent first.
      refusedOrigins: [...recentRefusals]
        .filter(([, r]) => at - r.lastAt < 3_600_000)
        .reverse()
        .map(([origin, r]) => ({ origin, ...r })),
    });
  }

  async function postCheckouts(request: Request): Promise<Response> {
    const secret = options.checkoutSecret as string;
    const given = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, secret))
      throw new ProxyError(
        401,
        'unauthorized',
        'A valid Authorization: Bearer <secret> is required.',
      );
    const body = await readBody(request);
    return json(201, await createCheckout(body as unknown as CheckoutInput));
  }

  // Refused origins, logged once a minute each (a misconfigured shop repeats on every check).
  const refusedOrigins = new Map<string, { at: number; count: number }>();
  // And listed by /health: the last 20 origins refused (requests, not preflights), the most
  // recent last; an origin not refused for an hour starts again from 1.
  const recentRefusals = new Map<string, { count: number; firstAt: number; lastAt: number }>();
  function cors(request: Request): Record<string, string> | Response {
    const origin = request.headers.get('origin');
    if (origin === null) return {};
    const headers = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (isAllowed(origin)) return headers;
    // Refused, readably: the preflight passes and the request itself gets a 403 the page can
    // read (CORS headers on this answer only), so the card names the cause instead of
    // "reconnecting" forever. Nothing is done for the refused origin.
    const at = localNow();
    // What a browser sends is `scheme://host[:port]` (or "null"); anything else was typed by hand
    // (curl): refused the same, but neither logged nor listed in /health, so it cannot plant
    // markup or look-alikes there.
    const browserLike =
      origin === 'null' ||
      /^https?:\/\/[\w.-]+(:\d{1,5})?$|^https?:\/\/\[[\da-f:.]+\](:\d{1,5})?$/i.test(origin);
    const seen = refusedOrigins.get(origin);
    // Once a minute per origin, and at most 10 origins a minute: cycling Origin values does not
    // flood the log.
    const loggedLately = [...refusedOrigins.values()].filter((r) => at - r.at < 60_000).length;
    if (!browserLike) {
      // refused below, unrecorded
    } else if ((!seen || at - seen.at >= 60_000) && loggedLately < 10) {
      logger.warn(
        'origin refused: add it to allowedOrigins (KHQR_ALLOWED_ORIGINS) if it is the shop',
        {
          origin: origin.slice(0, 200),
          refusedSinceLastLog: (seen?.count ?? 0) + 1,
        },
      );
      refusedOrigins.delete(origin);
      refusedOrigins.set(origin, { at, count: 0 });
      if (refusedOrigins.size > 100)
        refusedOrigins.delete(refusedOrigins.keys().next().value as string);
    } else if (seen) seen.count++;
    if (request.method === 'OPTIONS') return headers;
    const key = origin.slice(0, 200);
    if (browserLike) {
      const last = recentRefusals.get(key);
      const fresh = !last || at - last.lastAt >= 3_600_000;
      recentRefusals.delete(key);
      recentRefusals.set(key, {
        count: fresh ? 1 : last.count + 1,
        firstAt: fresh ? at : last.firstAt,
        lastAt: at,
      });
      if (recentRefusals.size > 20)
        recentRefusals.delete(recentRefusals.keys().next().value as string);
    }
    return json(
      403,
      {
        error: {
          code: 'origin_not_allowed',
          message: `The origin ${origin.slice(0, 200)} may not call this proxy: add it to allowedOrigins (KHQR_ALLOWED_ORIGINS).`,
        },
      },
      headers,
    );
  }

  const routes: Record<
    string,
    Record<string, (request: Request, context: RequestContext) => Promise<Response>>
  > = {
    '/check': { POST: postCheck },
    '/deeplink': { POST: postDeeplink },
    '/health': { GET: getHealth },
    // Liveness for load balancers: 200 while the process serves. /health is the diagnostic,
    // 503 whenever payments cannot be confirmed (a quota day must not take every instance out).
    '/livez': { GET: async () => json(200, { ok: true }) },
    ...(options.checkoutSecret ? { '/checkouts': { POST: postCheckouts } } : {}),
  };

  async function handler(request: Request, context: RequestContext = {}): Promise<Response> {
    let path = new URL(request.url).pathname;
    if (base) {
      // Outside basePath nothing is the proxy's: no origin check, no route, and the Node adapter
      // hands the request on to the app (a proxy mounted at the site root must not answer the
      // shop's own /health, nor refuse its pages' origins).
      if (path !== base && !path.startsWith(`${base}/`))
        return new Response(null, { status: 404, headers: { [NO_ROUTE]: '1' } });
      path = path.slice(base.length);
    }
    const route = routes[path];
    const headers = cors(request);
    if (headers instanceof Response) return headers;
    const withCors = (response: Response) => {
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return response;
    };
    // Not `unknown_md5` (a QR this proxy does not know): the card says no payment server is
    // there. Its preflight passes, so a page on another origin can read that 404 too (else it only
    // sees a network error). Node middleware hands both on to the next handler (the header).
    if (!route)
      return withCors(
        request.method === 'OPTIONS'
          ? new Response(null, {
              status: 204,
              headers: {
                'access-control-allow-methods': 'POST',
                'access-control-allow-headers': 'content-type',
                [NO_ROUTE]: '1',
              },
            })
          : json(
              404,
              {
                error: {
                  code: 'not_found',
                  message: `No such route; the check URL is ${base}/check.`,
                },
              },
              { [NO_ROUTE]: '1' },
            ),
      );
    if (request.method === 'OPTIONS') {
      return withCors(
        new Response(null, {
          status: 204,
          headers: {
            'access-control-allow-methods': Object.keys(route).join(', '),
            'access-control-allow-headers': 'content-type',
            'access-control-max-age': '600',
          },
        }),
      );
    }
    const run = route[request.method];
    if (!run)
      return withCors(
        json(
          405,
          {
            error: { code: 'method_not_allowed', message: `Use ${Object.keys(route).join(', ')}.` },
          },
          { allow: Object.keys(route).join(', ') },
        ),
      );
    try {
      return withCors(await run(request, context));
    } catch (error) {
      if (error instanceof ProxyError) return withCors(problem(error));
      logger.error('proxy error', { path, error: String((error as Error)?.message ?? error) });
      return withCors(json(500, { error: { code: 'internal', message: 'Internal error.' } }));
    }
  }

  // The sweeper: checkouts nobody is polling (a customer who paid and closed the tab) are still
  // asked about until expiry plus grace, and those that expired without an answer until one comes.
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const sweep = options.sweeper ?? true;
  const sweepIntervalMs = (typeof sweep === 'object' && sweep.intervalMs) || 10_000;
  if (sweep) {
    const intervalMs = sweepIntervalMs;
    let sweeping = false;
    const tick = async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        const { checker } = await parts;
        await checker.sweep(intervalMs);
      } catch (error) {
        logger.error('sweeper failed', { error: String((error as Error)?.message ?? error) });
      } finally {
        sweeping = false;
      }
    };
    sweeper = setInterval(() => void tick(), intervalMs);
    sweeper.unref?.();
    // After a restart, open checkouts are asked about at once: a payment made while the proxy
    // was down settles without waiting for a page.
    void parts.then(
      () => tick(),
      () => undefined,
    );
  }
  void parts.then(
    ({ outbox }) => outbox.start(options.deliveryIntervalMs ?? 1000),
    () => undefined,
  );

  return {
    handler,
    createCheckout,
    async check(md5) {
      const { ledger, checker } = await use();
      const row = await ledger.get(md5);
      if (!row) throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
      return checker.check(row);
    },
    ready: () => opened.then(() => undefined),
    async deliver() {
      await (await use()).outbox.tick();
    },
    async sweep() {
      await (await use()).checker.sweep(sweepIntervalMs);
    },
    async redeliver(eventId) {
      const { ledger, outbox } = await use();
      if (!(await ledger.retry(eventId, ledger.now()))) return false;
      await outbox.deliverNow(eventId);
      return true;
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(clockSync);
      await outbox?.stop();
      await store.close();
      if (ownsClient) await client.close?.();
      await opened.catch(() => undefined);
      if (ownsDatabase) await database?.close();
    },
  };
}
