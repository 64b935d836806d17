import { Limiter, type LimiterOptions } from './limiter.ts';
import {
  asTransaction,
  type BakongOutcome,
  type BakongTransaction,
  classify,
  isTransient,
  type UpstreamClass,
  upstreamClass,
} from './outcome.ts';
import {
  parseRelay,
  type RelayTransport,
  relayAddress,
  relayFailure,
  relayTransport,
} from './relay.ts';

/** The Bakong hosts a base URL may name (or loopback, for the sandbox). */
export const BAKONG_HOSTS = [
  'api-bakong.nbc.gov.kh',
  'sit-api-bakong.nbc.gov.kh',
  'api-bakong.nbc.org.kh',
  'sit-api-bakong.nbc.org.kh',
];

/** Options of {@link createBakongClient}. */
export interface BakongClientOptions {
  /** The merchant's Bakong Open API token (a JWT). Never logged, never sent anywhere but Bakong. */
  token: string;
  /** `https://api-bakong.nbc.gov.kh` (production), `https://sit-api-bakong.nbc.gov.kh` (SIT) or a loopback sandbox. */
  baseUrl: string;
  /** Allow a base URL outside the Bakong hosts and loopback. @default false */
  allowAnyBaseUrl?: boolean;
  /** @default globalThis.fetch (through undici's, with a `relay`). A custom fetch wins over `relay`. */
  fetch?: typeof fetch;
  /**
   * A standard HTTP forward proxy in Cambodia to reach Bakong through, for a server hosted
   * elsewhere: `http://relay.example:8888` or `http://user:password@relay.example:8888` (Basic
   * auth). Each connection is an HTTP CONNECT tunnel to Bakong's host and port, so TLS and the
   * token go end to end to Bakong: the relay sees only ciphertext. Its user and password are never
   * logged or shown (/health shows `host:port`). The library does not read HTTPS_PROXY by itself:
   * pass it here (`relay: process.env.HTTPS_PROXY`); the standalone proxy (CLI) reads HTTPS_PROXY,
   * HTTP_PROXY and NO_PROXY. Ignored when `fetch` is given. Uses undici, loaded only then.
   */
  relay?: string | URL | undefined;
  /** Budget of one call, retries included, ms. NBC asks for checks to finish within 10 s. @default 10000 */
  timeoutMs?: number;
  /** Retries of transient outcomes (5xx, timeout, network, 429). @default 2 */
  retries?: number;
  /** First backoff, ms; doubles per retry, with full jitter, at most 2 s. @default 250 */
  backoffMs?: number;
  /** Global budget for upstream calls (shared by all calls of this client). */
  budget?: LimiterOptions;
  /**
   * Bakong calls the proxy may make a Phnom Penh day (read by `createKhqrProxy`, not the client).
   * Unset: unlimited until Bakong refuses one for its daily quota (errorCode 17); what was spent
   * that day is the budget from then on. KHQR_DAILY_BUDGET for the standalone proxy.
   */
  dailyBudget?: number;
  /** @default Date.now */
  now?: () => number;
  /** Random source for jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** Deep-link caller identity (Bakong's `sourceInfo`). */
export interface SourceInfo {
  appIconUrl: string;
  appName: string;
  appDeepLinkCallback: string;
}

/** One item of a bulk md5 check. */
export type Md5ListItem = { md5: string; outcome: BakongOutcome<BakongTransaction> };

/** Which way a client's calls go, for `/health`: never the relay's credentials. */
export type BakongRoute =
  | { via: 'direct' }
  /** A custom `fetch` was given: where it sends the calls is its own business. */
  | { via: 'fetch' }
  | {
      via: 'relay';
      /** The relay's `host:port`. */
      relay: string;
      /** The relay's answer to the last CONNECT it refused (403, 407, 5xx); null once one opened. */
      readonly refusedWith: number | null;
    };

/** A typed, classified client of the Bakong Open API. Every method resolves; none throws on an answer. */
export interface BakongClient {
  checkTransactionByMd5(md5: string): Promise<BakongOutcome<BakongTransaction>>;
  checkTransactionByHash(hash: string): Promise<BakongOutcome<BakongTransaction>>;
  checkTransactionByShortHash(query: {
    hash: string;
    amount: number;
    currency: 'KHR' | 'USD';
  }): Promise<BakongOutcome<BakongTransaction>>;
  /** ≤ 50 md5s; items are matched by md5, never by position. */
  checkTransactionByMd5List(md5s: string[]): Promise<BakongOutcome<Md5ListItem[]>>;
  checkTransactionByHashList(
    hashes: string[],
  ): Promise<BakongOutcome<Array<{ hash: string; outcome: BakongOutcome<BakongTransaction> }>>>;
  generateDeepLink(
    qr: string,
    sourceInfo?: SourceInfo,
  ): Promise<BakongOutcome<{ shortLink: string }>>;
  /** The registered email is effectively a credential: never log it. */
  renewToken(email: string): Promise<BakongOutcome<{ token: string }>>;
  /** `success` when the account exists; `rejected` with errorCode 11 (not found) or 12 (invalid). */
  checkBakongAccount(accountId: string): Promise<BakongOutcome<null>>;
  /** A tokenless probe: 401 means reachable, 403 blocked from this network. */
  probe(): Promise<UpstreamClass>;
  /** Which way the calls go (direct, through a relay, or a custom fetch). */
  readonly route?: BakongRoute;
  /** Closes the relay's tunnels, if any. */
  close?(): Promise<void>;
}

/** Checks a base URL: https Bakong hosts or loopback, unless any host is allowed. */
export function checkBaseUrl(baseUrl: string, allowAny = false): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `[khqr-proxy] BAKONG_BASE_URL ${JSON.stringify(baseUrl)} is not a URL: use https://api-bakong.nbc.gov.kh (production) or https://sit-api-bakong.nbc.gov.kh (SIT).`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const bakong = url.protocol === 'https:' && BAKONG_HOSTS.includes(url.hostname);
  if (!allowAny && !loopback && !bakong) {
    throw new Error(
      `[khqr-proxy] BAKONG_BASE_URL ${url.origin} is not a Bakong host: use https://api-bakong.nbc.gov.kh, https://sit-api-bakong.nbc.gov.kh, or a loopback sandbox.`,
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function mapTransaction(outcome: BakongOutcome): BakongOutcome<BakongTransaction> {
  if (outcome.kind !== 'success') return outcome;
  const transaction = asTransaction(outcome.data);
  return transaction
    ? { kind: 'success', data: transaction }
    : { kind: 'upstream-error', reason: 'bad-envelope' };
}

const ITEM_STATUS: Record<string, BakongOutcome<BakongTransaction>['kind']> = {
  NOT_FOUND: 'not-found',
  FAILED: 'failed',
  STATIC_QR: 'static-qr',
};

/**
 * A Bakong Open API client for merchant servers: times out, never follows redirects, retries only
 * transient outcomes with jittered exponential backoff (honouring Retry-After), within a global
 * budget. The proxy uses it; merchant back ends can too (reconciliation, server-side QR flows).
 * @example
 * const bakong = createBakongClient({ token: process.env.BAKONG_TOKEN!, baseUrl: 'https://api-bakong.nbc.gov.kh' });
 * const outcome = await bakong.checkTransactionByMd5(md5);
 * if (outcome.kind === 'success') console.log(outcome.data.amount);
 */
export function createBakongClient(options: BakongClientOptions): BakongClient {
  if (typeof options.token !== 'string' || options.token.trim() === '') {
    throw new Error(
      '[khqr-proxy] A Bakong token is required (BAKONG_TOKEN): register at the Bakong Open API site.',
    );
  }
  const base = checkBaseUrl(options.baseUrl, options.allowAnyBaseUrl);
  const relay =
    options.relay === undefined || options.relay === '' ? undefined : parseRelay(options.relay);
  const transport: RelayTransport | undefined =
    relay && !options.fetch ? relayTransport(relay) : undefined;
  const doFetch = options.fetch ?? transport?.fetch ?? globalThis.fetch;
  let refusedWith: number | null = null;
  const route: BakongRoute = options.fetch
    ? { via: 'fetch' }
    : relay
      ? {
          via: 'relay',
          relay: relayAddress(relay),
          get refusedWith() {
            return refusedWith;
          },
        }
      : { via: 'direct' };
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const limiter = new Limiter(options.budget, now);

  async function attempt(
    path: string,
    body: unknown,
    auth: boolean,
    deadline: number,
  ): Promise<BakongOutcome> {
    if (!(await limiter.acquire(deadline))) return { kind: 'upstream-error', reason: 'budget' };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, deadline - now()));
    try {
      const response = await doFetch(`${base}/v1/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(auth ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: controller.signal,
      });
      const text = await response.text();
      // Through a relay, an answer means the tunnel opened.
      refusedWith = null;
      return classify(response.status, response.headers, text, now());
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'upstream-error', reason: 'timeout' };
      const failure = transport ? relayFailure(error) : null;
      if (failure?.reason === 'relay-refused') {
        refusedWith = failure.status;
        return { kind: 'upstream-error', reason: 'relay-refused', status: failure.status };
      }
      if (failure) return { kind: 'upstream-error', reason: 'relay-unreachable' };
      return { kind: 'upstream-error', reason: 'network' };
    } finally {
      clearTimeout(timer);
      limiter.release();
    }
  }

  async function call(path: string, body: unknown, auth = true): Promise<BakongOutcome> {
    const deadline = now() + timeoutMs;
    let outcome = await attempt(path, body, auth, deadline);
    for (let retry = 0; retry < retries && isTransient(outcome); retry++) {
      const backoff = Math.min(2000, backoffMs * 2 ** retry) * random();
      const wait =
        outcome.kind === 'rate-limited' ? Math.max(outcome.retryAfterMs, backoff) : backoff;
      if (
        now() + wait >= deadline ||
        (outcome.kind === 'upstream-error' && outcome.reason === 'budget')
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      outcome = await attempt(path, body, auth, deadline);
    }
    return outcome;
  }

  const list = async <K extends string>(path: string, values: string[], key: K) => {
    const outcome = await call(path, values);
    if (outcome.kind !== 'success') return outcome;
    if (!Array.isArray(outcome.data))
      return { kind: 'upstream-error', reason: 'bad-envelope' } as const;
    return {
      kind: 'success',
      data: (outcome.data as Array<Record<string, unknown>>)
        .filter((item) => typeof item?.[key] === 'string')
        .map((item) => {
          const status = String(item.status);
          const kind = ITEM_STATUS[status];
          let itemOutcome: BakongOutcome<BakongTransaction>;
          if (status === 'SUCCESS') {
            itemOutcome = mapTransaction({ kind: 'success', data: item.data });
            // A success without its transaction must be confirmed, never dropped.
            if (itemOutcome.kind !== 'success')
              itemOutcome = { kind: 'upstream-error', reason: 'unconfirmed' };
          } else if (status === 'SERVICE_FAILED') {
            itemOutcome = { kind: 'upstream-error', reason: 'service-failed' };
          } else {
            itemOutcome = kind
              ? ({ kind } as BakongOutcome<BakongTransaction>)
              : { kind: 'unknown', errorCode: null, status: 200 };
          }
          return { [key]: item[key] as string, outcome: itemOutcome };
        }),
    } as const;
  };

  return {
    route,
    close: async () => {
      await transport?.close();
    },
    checkTransactionByMd5: async (md5) =>
      mapTransaction(await call('check_transaction_by_md5', { md5 })),
    checkTransactionByHash: async (hash) =>
      mapTransaction(await call('check_transaction_by_hash', { hash })),
    checkTransactionByShortHash: async (query) =>
      mapTransaction(await call('check_transaction_by_short_hash', query)),
    checkTransactionByMd5List: (md5s) =>
      list('check_transaction_by_md5_list', md5s, 'md5') as Promise<BakongOutcome<Md5ListItem[]>>,
    checkTransactionByHashList: (hashes) =>
      list('check_transaction_by_hash_list', hashes, 'hash') as Promise<
        BakongOutcome<Array<{ hash: string; outcome: BakongOutcome<BakongTransaction> }>>
      >,
    async generateDeepLink(qr, sourceInfo) {
      const outcome = await call(
        'generate_deeplink_by_qr',
        sourceInfo ? { qr, sourceInfo } : { qr },
        false,
      );
      if (outcome.kind !== 'success') return outcome;
      const link = (outcome.data as { shortLink?: unknown } | null)?.shortLink;
      return typeof link === 'string'
        ? { kind: 'success', data: { shortLink: link } }
        : { kind: 'upstream-error', reason: 'bad-envelope' };
    },
    async renewToken(email) {
      const outcome = await call('renew_token', { email }, false);
      if (outcome.kind !== 'success') return outcome;
      const token = (outcome.data as { token?: unknown } | null)?.token;
      return typeof token === 'string'
        ? { kind: 'success', data: { token } }
        : { kind: 'upstream-error', reason: 'bad-envelope' };
    },
    async checkBakongAccount(accountId) {
      const outcome = await call('check_bakong_account', { accountId }, false);
      return outcome.kind === 'success' ? { kind: 'success', data: null } : outcome;
    },
    async probe() {
      const outcome = await attempt(
        'check_transaction_by_md5',
        { md5: '0'.repeat(32) },
        false,
        now() + Math.min(timeoutMs, 5000),
      );
      // Tokenless: a 401 is Bakong refusing no token, so it is reachable.
      if (outcome.kind === 'unauthorized') return 'reachable';
      return upstreamClass(outcome) ?? 'unreachable';
    },
  };
}
