import {
  type BakongClient,
  type BakongClientOptions,
  createBakongClient,
  type SourceInfo,
} from './bakong-client.ts';
import {
  Checker,
  type CheckerOptions,
  type CheckResult,
  type PaidEvent,
  type ProxyAlert,
  RETENTION_MS,
} from './checker.ts';
import {
  acceptBrowserQr,
  buildCheckout,
  type CheckoutInput,
  type CreatedCheckout,
  type MerchantConfig,
  type ValidateHook,
} from './checkout.ts';
import { ProxyError } from './errors.ts';
import { consoleLogger, type Logger, redacting } from './logger.ts';
import { MemoryStore, type ProxyStore } from './store.ts';
import { TOKEN_WARNING_MS, tokenHealth } from './token-health.ts';

/** Options of {@link createKhqrProxy}. */
export interface KhqrProxyOptions {
  /** The Bakong client, or its options (`token`, `baseUrl`, …). */
  bakong: BakongClient | BakongClientOptions;
  /** The token, when `bakong` is a ready client: for the health endpoint and redaction only. */
  token?: string;
  merchant: MerchantConfig;
  /** Origins allowed to call the proxy from a browser (CORS). The proxy's own origin always is. No `*`. */
  allowedOrigins?: string[];
  /** @default a MemoryStore (one instance); use RedisStore for several */
  store?: ProxyStore;
  /** Mount path, e.g. `/api/khqr`: routes are `${basePath}/check`, `/deeplink`, `/health`, `/checkouts`. @default '' */
  basePath?: string;
  /** The merchant's own check of browser-generated QRs (e.g. look the bill number up). */
  validate?: ValidateHook;
  /** Fulfil the order here, never from the browser event. Called exactly once per paid md5. */
  onPaid?: (event: PaidEvent) => void | Promise<void>;
  /** Operator alerts: amount mismatches, token trouble, a blocked network. */
  onAlert?: (alert: ProxyAlert) => void;
  /** Enables `POST /checkouts` for server-to-server creation, authorised by `Bearer <secret>`. */
  checkoutSecret?: string;
  /** Deep-link caller identity sent to Bakong. */
  sourceInfo?: SourceInfo;
  /** @default consoleLogger (JSON lines) */
  logger?: Logger;
  /** How long "not found" is reused, ms. @default 1000 */
  notFoundCacheMs?: number;
  /** A payment this long after expiry still counts, ms. @default 30000 */
  graceMs?: number;
  /** Check pending md5s through check_transaction_by_md5_list, falling back to single checks. @default false */
  bulk?: boolean;
  /** Keep checking pending md5s in the background until expiry + grace. @default false */
  sweeper?: boolean | { intervalMs?: number };
  /** Per client and per md5, over a window. @default client 120, md5 60 per 60 s */
  rateLimit?: { perClient?: number; perMd5?: number; windowMs?: number };
  /** @default Date.now */
  now?: () => number;
}

/** Per request context the adapters pass: who is asking. */
export interface RequestContext {
  clientIp?: string;
}

/** A running proxy. */
export interface KhqrProxy {
  /** The Fetch-standard handler: Node ≥ 20 (through the adapters), Workers, Deno, Bun. */
  handler(request: Request, context?: RequestContext): Promise<Response>;
  /** Server-generated KHQR for an order (the secure default). */
  createCheckout(input: CheckoutInput): Promise<CreatedCheckout>;
  /** The status of a registered md5, as the browser sees it. */
  check(md5: string): Promise<CheckResult>;
  /** Stops the sweeper and closes the store. */
  close(): Promise<void>;
}

const MD5 = /^[0-9a-f]{32}$/;
const BODY_LIMIT = 1024;
/** Milliseconds a new checkout's timestamp may move on to avoid another checkout's md5. */
const MAX_CLASH_BUMPS = 1000;

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
 * merchant's token and answers `{status, serverNow, expiresAt}` only.
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
  const client =
    'checkTransactionByMd5' in options.bakong ? options.bakong : createBakongClient(options.bakong);
  const now = options.now ?? Date.now;
  const store = options.store ?? new MemoryStore(now);
  const logger = redacting(options.logger ?? consoleLogger, () => [
    token,
    ...(options.checkoutSecret ? [options.checkoutSecret] : []),
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
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const limits = { perClient: 120, perMd5: 60, windowMs: 60_000, ...options.rateLimit };
  const checkerOptions: CheckerOptions = {
    client,
    store,
    logger,
    now,
    notFoundCacheMs: options.notFoundCacheMs ?? 1000,
    graceMs: options.graceMs ?? 30_000,
    bulk: options.bulk ?? false,
    ...(options.onPaid ? { onPaid: options.onPaid } : {}),
    ...(options.onAlert ? { onAlert: options.onAlert } : {}),
  };
  const checker = new Checker(checkerOptions);

  const health = tokenHealth(token, now());
  if (health.expiresAt !== null && health.expiringSoon) {
    logger.warn('the Bakong token expires soon: renew it', {
      expiresAt: new Date(health.expiresAt).toISOString(),
    });
    options.onAlert?.({
      type: 'token-expiring',
      expiresAt: health.expiresAt,
      daysLeft: health.daysLeft ?? 0,
    });
  }
  let probe: { at: number; result: Awaited<ReturnType<BakongClient['probe']>> } | undefined;

  async function register(record: Parameters<ProxyStore['addCheckout']>[0]): Promise<boolean> {
    const ttl = record.expiresAt - now() + checkerOptions.graceMs + RETENTION_MS;
    return store.addCheckout(record, ttl);
  }

  async function createCheckout(input: CheckoutInput): Promise<CreatedCheckout> {
    // Two checkouts of one amount made in the same millisecond (one busy shop, or several proxy
    // instances on one store) would be the same KHQR, so one md5 for two orders: the store adds
    // a record only if its md5 is new, and a clash moves the QR's timestamp on by a millisecond.
    const start = now();
    let record = buildCheckout(merchant, input, start);
    for (let bump = 1; !(await register(record)); bump++) {
      if (bump > MAX_CLASH_BUMPS)
        throw new ProxyError(503, 'busy', 'Could not make a unique QR; try again.');
      record = buildCheckout(merchant, input, start + bump);
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

  async function limit(key: string, max: number): Promise<void> {
    const { count, resetMs } = await store.hit(key, limits.windowMs);
    if (count > max) {
      throw new ProxyError(429, 'rate_limited', 'Too many checks; slow down.', {
        'retry-after': String(Math.max(1, Math.ceil(resetMs / 1000))),
      });
    }
  }

  async function postCheck(request: Request, context: RequestContext): Promise<Response> {
    await limit(`client:${context.clientIp ?? 'unknown'}`, limits.perClient);
    const body = await readBody(request);
    const md5 = md5Of(body);
    await limit(`md5:${md5}`, limits.perMd5);
    let record = await store.getCheckout(md5);
    if (!record) {
      if (body.qr === undefined)
        throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
      if (typeof body.qr !== 'string' || body.qr.length > 512)
        throw new ProxyError(400, 'invalid_qr', 'qr must be a KHQR string.');
      const accepted = await acceptBrowserQr(md5, body.qr, merchant, now(), options.validate);
      await register(accepted);
      record = (await store.getCheckout(md5)) ?? accepted;
      logger.info('browser QR accepted', { md5, checkoutId: record.checkoutId });
    }
    return json(200, await checker.check(record));
  }

  async function postDeeplink(request: Request, context: RequestContext): Promise<Response> {
    await limit(`client:${context.clientIp ?? 'unknown'}`, limits.perClient);
    const md5 = md5Of(await readBody(request));
    const record = await store.getCheckout(md5);
    if (!record) throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
    const outcome = await client.generateDeepLink(record.qr, options.sourceInfo);
    if (outcome.kind !== 'success')
      throw new ProxyError(502, 'deeplink_unavailable', 'No bank-app link is available right now.');
    return json(200, { shortLink: outcome.data.shortLink });
  }

  async function getHealth(): Promise<Response> {
    const at = now();
    if (!probe || at - probe.at > 60_000) probe = { at, result: await client.probe() };
    const t = tokenHealth(token, at);
    const messages = {
      reachable: 'Bakong answers from this network.',
      blocked:
        'Bakong answered 403: it only answers Cambodian IP addresses. Run the proxy on a server in Cambodia, or through a relay there.',
      unreachable: 'Bakong could not be reached (network, DNS or timeout).',
    };
    const ok = probe.result === 'reachable' && !t.expired;
    return json(ok ? 200 : 503, {
      ok,
      token: {
        expiresAt: t.expiresAt,
        daysLeft: t.daysLeft,
        expiringSoon: t.expiringSoon,
        expired: t.expired,
        warningDays: TOKEN_WARNING_MS / 86_400_000,
      },
      upstream: { status: probe.result, message: messages[probe.result] },
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

  function cors(request: Request): Record<string, string> | Response {
    const origin = request.headers.get('origin');
    if (origin === null || origin === new URL(request.url).origin) return {};
    if (!allowed.has(origin)) {
      return json(
        403,
        {
          error: {
            code: 'origin_not_allowed',
            message: 'This origin may not call the proxy (KHQR_ALLOWED_ORIGINS).',
          },
        },
        { vary: 'Origin' },
      );
    }
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  const routes: Record<
    string,
    Record<string, (request: Request, context: RequestContext) => Promise<Response>>
  > = {
    '/check': { POST: postCheck },
    '/deeplink': { POST: postDeeplink },
    '/health': { GET: getHealth },
    ...(options.checkoutSecret ? { '/checkouts': { POST: postCheckouts } } : {}),
  };

  async function handler(request: Request, context: RequestContext = {}): Promise<Response> {
    let path = new URL(request.url).pathname;
    if (base && path.startsWith(base)) path = path.slice(base.length);
    const route = routes[path];
    const headers = cors(request);
    if (headers instanceof Response) return headers;
    const withCors = (response: Response) => {
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return response;
    };
    if (!route)
      return withCors(json(404, { error: { code: 'not_found', message: 'No such route.' } }));
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

  let sweeper: ReturnType<typeof setInterval> | undefined;
  if (options.sweeper) {
    const intervalMs = (typeof options.sweeper === 'object' && options.sweeper.intervalMs) || 5000;
    let sweeping = false;
    sweeper = setInterval(async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        for (const md5 of await store.pending()) {
          const record = await store.getCheckout(md5);
          if (!record) {
            await store.settle(md5);
            continue;
          }
          const status = await store.getStatus(md5);
          if (status && now() - status.checkedAt < intervalMs) continue;
          await checker.check(record).catch(() => undefined);
        }
      } catch (error) {
        logger.error('sweeper failed', { error: String((error as Error)?.message ?? error) });
      } finally {
        sweeping = false;
      }
    }, intervalMs);
    sweeper.unref?.();
  }

  return {
    handler,
    createCheckout,
    async check(md5) {
      const record = await store.getCheckout(md5);
      if (!record) throw new ProxyError(404, 'unknown_md5', 'This checkout is not known here.');
      return checker.check(record);
    },
    async close() {
      clearInterval(sweeper);
      await store.close();
    },
  };
}
