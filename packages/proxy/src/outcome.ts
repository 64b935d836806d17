/** A transaction as Bakong returns it (documented fields required, live ones optional). */
export interface BakongTransaction {
  hash: string;
  /** The payer's Bakong ID: personal data, never sent to a browser or a log. */
  fromAccountId: string;
  toAccountId: string;
  currency: string;
  /** Major units, a JSON number. */
  amount: number;
  description?: string | null;
  createdDateMs?: number | null;
  acknowledgedDateMs?: number | null;
  externalRef?: string | null;
  [key: string]: unknown;
}

/**
 * Every answer of the Bakong Open API, classified. Only `not-found` may ever mean "pending";
 * transport trouble is `upstream-error`, never `failed`.
 */
export type BakongOutcome<T = unknown> =
  | { kind: 'success'; data: T }
  /** errorCode 1: not paid yet. */
  | { kind: 'not-found' }
  /** errorCode 3, or errorCode 1 with "Transaction failed.": a terminal failure. */
  | { kind: 'failed' }
  /** errorCode 2: a static QR can never be tracked by md5 (a configuration error). */
  | { kind: 'static-qr' }
  /** errorCode 5 or HTTP 400: the request was wrong; never retried. */
  | { kind: 'bad-request'; errorCode: number | null }
  /** HTTP 401 or errorCode 6: the token is missing, invalid or expired. */
  | { kind: 'unauthorized' }
  /** HTTP 403, usually nginx's HTML page: Bakong answers only Cambodian IP addresses. */
  | { kind: 'forbidden' }
  /** HTTP 429. */
  | { kind: 'rate-limited'; retryAfterMs: number }
  /**
   * errorCode 17 ("Daily request limit of 100 exceeded"), or a refusal whose message speaks of a
   * daily limit, a quota or too many requests: the token's daily quota is spent. Not transient:
   * asking again only spends what is left of tomorrow's.
   */
  | { kind: 'quota-exhausted'; errorCode: number | null }
  /** errorCode 4 (deep links), 7, 8, 10 (token mail), 11, 12 (accounts). */
  | { kind: 'rejected'; errorCode: number; message: string }
  /**
   * 5xx, timeout, network failure, redirect, non-JSON or malformed envelope, errorCode 9; or the
   * relay in the way (`relay-unreachable`, `relay-refused` with the relay's CONNECT status).
   */
  | { kind: 'upstream-error'; reason: UpstreamErrorReason; status?: number }
  /** An errorCode this client does not know. */
  | { kind: 'unknown'; errorCode: number | null; status: number };

export type UpstreamErrorReason =
  | 'http-5xx'
  | 'timeout'
  | 'network'
  | 'redirect'
  | 'non-json'
  | 'bad-envelope'
  | 'cannot-connect'
  | 'budget'
  /** An md5_list item `SERVICE_FAILED`: Bakong has no answer for it yet. */
  | 'service-failed'
  /** An md5_list item `SUCCESS` without a transaction: confirmed with a single check. */
  | 'unconfirmed'
  /** The relay (`bakong.relay`, HTTPS_PROXY) could not be connected to: refused, unknown host. */
  | 'relay-unreachable'
  /** The relay answered the CONNECT with something else than 200 (`status`: 403, 407, 5xx…). */
  | 'relay-refused';

/** Whether an outcome is worth retrying (with backoff). */
export const isTransient = (o: BakongOutcome): boolean =>
  o.kind === 'upstream-error' || o.kind === 'rate-limited';

/** Retry-After as ms: delta-seconds or an HTTP date; `fallback` when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number, fallback = 1000): number {
  if (header === null || header.trim() === '') return fallback;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? fallback : Math.max(0, date - now);
}

const QUOTA_MESSAGE = /daily request limit|quota|too many request/i;

/**
 * Classifies one HTTP answer of the Bakong Open API, exactly as `reference/bakong-api.md` says.
 * Pure: status, headers and body text in, outcome out.
 */
export function classify(
  status: number,
  headers: Headers,
  body: string,
  now: number = Date.now(),
): BakongOutcome {
  if (status >= 300 && status < 400) return { kind: 'upstream-error', reason: 'redirect', status };
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 403) return { kind: 'forbidden' };
  if (status === 429)
    return { kind: 'rate-limited', retryAfterMs: retryAfterMs(headers.get('retry-after'), now) };
  if (status >= 500) return { kind: 'upstream-error', reason: 'http-5xx', status };
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    // 400 or 404 with a page instead of JSON: a wrong request or URL, which asking again repeats.
    if (status === 400 || status === 404) return { kind: 'bad-request', errorCode: null };
    return { kind: 'upstream-error', reason: 'non-json', status };
  }
  if (typeof envelope !== 'object' || envelope === null)
    return { kind: 'upstream-error', reason: 'bad-envelope', status };
  const { responseCode, errorCode, responseMessage, data } = envelope as Record<string, unknown>;
  const code = typeof errorCode === 'number' ? errorCode : null;
  if (responseCode === 0 && status >= 200 && status < 300) return { kind: 'success', data };
  if (responseCode !== 1 && responseCode !== 0)
    return { kind: 'upstream-error', reason: 'bad-envelope', status };
  const message = typeof responseMessage === 'string' ? responseMessage : '';
  // Integrators match the quota refusal by message too: more undocumented codes may exist.
  if (code === 17 || (code !== 1 && code !== 3 && QUOTA_MESSAGE.test(message)))
    return { kind: 'quota-exhausted', errorCode: code };
  switch (code) {
    case 1:
      // The seed document's sample answers a failed transaction with errorCode 1 too.
      return /transaction failed/i.test(message) ? { kind: 'failed' } : { kind: 'not-found' };
    case 2:
      return { kind: 'static-qr' };
    case 3:
      return { kind: 'failed' };
    case 5:
      return { kind: 'bad-request', errorCode: 5 };
    case 6:
      return { kind: 'unauthorized' };
    case 9:
      return { kind: 'upstream-error', reason: 'cannot-connect', status };
    case 4:
    case 7:
    case 8:
    case 10:
    case 11:
    case 12:
      return { kind: 'rejected', errorCode: code, message };
  }
  if (status === 400) return { kind: 'bad-request', errorCode: code };
  return { kind: 'unknown', errorCode: code, status };
}

/** The transaction in a success outcome, if it has the documented shape. */
export function asTransaction(data: unknown): BakongTransaction | undefined {
  const t = data as Partial<BakongTransaction> | null;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.hash !== 'string' ||
    typeof t.toAccountId !== 'string' ||
    typeof t.currency !== 'string' ||
    typeof t.amount !== 'number' ||
    !Number.isFinite(t.amount)
  ) {
    return undefined;
  }
  return t as BakongTransaction;
}

/** What an answer says about reaching Bakong, for `/health`. */
export type UpstreamClass =
  | 'reachable'
  | 'blocked'
  | 'unauthorized'
  | 'quota_exhausted'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'unreachable'
  | 'bad_response'
  /** The relay Bakong is reached through does not accept connections. */
  | 'relay_unreachable'
  /** The relay refused to open the tunnel to Bakong (its CONNECT answer: 403, 407, 5xx). */
  | 'relay_refused';

/** Classifies an answer: Bakong answered as itself, or what stood in the way. */
export function upstreamClass(outcome: BakongOutcome): UpstreamClass | null {
  switch (outcome.kind) {
    case 'forbidden':
      return 'blocked';
    case 'unauthorized':
      return 'unauthorized';
    case 'quota-exhausted':
      return 'quota_exhausted';
    case 'rate-limited':
      return 'rate_limited';
    case 'upstream-error':
      switch (outcome.reason) {
        case 'http-5xx':
          return 'server_error';
        case 'timeout':
          return 'timeout';
        case 'network':
        case 'cannot-connect':
          return 'unreachable';
        case 'redirect':
        case 'non-json':
        case 'bad-envelope':
          return 'bad_response';
        case 'relay-unreachable':
          return 'relay_unreachable';
        case 'relay-refused':
          return 'relay_refused';
        // The proxy's own limiter, or an item Bakong has no answer for yet: says nothing of the way.
        default:
          return null;
      }
    default:
      return 'reachable';
  }
}
