/** The timing rules of a checkout session; every field has a default. */
export interface PollPolicy {
  /** First check after the QR shows. @default 1000 */
  firstDelayMs: number;
  /** Interval during the fast phase. @default 2000 */
  fastIntervalMs: number;
  /** Length of the fast phase from the start. @default 60000 */
  fastPhaseMs: number;
  /** Interval after the fast phase. @default 5000 */
  slowIntervalMs: number;
  /** Interval while the page is hidden. @default 15000 */
  hiddenIntervalMs: number;
  /** ± share of random jitter on every delay. @default 0.2 */
  jitter: number;
  /** First backoff after a transport error; doubles per error. @default 2000 */
  backoffBaseMs: number;
  /** Longest backoff. @default 30000 */
  backoffMaxMs: number;
  /** After expiry, how long a late payment is still looked for, ms. @default 35000 */
  graceMs: number;
  /** Each check's own timeout. @default 10000 */
  requestTimeoutMs: number;
}

export const DEFAULT_POLICY: PollPolicy = {
  firstDelayMs: 1000,
  fastIntervalMs: 2000,
  fastPhaseMs: 60_000,
  slowIntervalMs: 5000,
  hiddenIntervalMs: 15_000,
  jitter: 0.2,
  backoffBaseMs: 2000,
  backoffMaxMs: 30_000,
  graceMs: 35_000,
  requestTimeoutMs: 10_000,
};

/** What the next delay depends on. */
export interface DelayContext {
  /** Time since the session started, ms. */
  sinceStartMs: number;
  /** Transport errors in a row. */
  failures: number;
  hidden: boolean;
  /** The server's Retry-After, ms. */
  retryAfterMs?: number;
  /** Time left until the QR expires (server clock), ms; a check is placed right at expiry. */
  untilExpiryMs: number;
}

/**
 * The delay before the next check: about every 2 s for the first minute, 5 s after, 15 s while
 * hidden; exponential backoff after errors, never shorter than Retry-After; jittered; and never
 * stepping over the moment of expiry, where one check is always made.
 */
export function nextPollDelay(
  ctx: DelayContext,
  policy: PollPolicy = DEFAULT_POLICY,
  random: () => number = Math.random,
): number {
  let delay: number;
  if (ctx.failures > 0)
    delay = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (ctx.failures - 1));
  else if (ctx.hidden) delay = policy.hiddenIntervalMs;
  else
    delay = ctx.sinceStartMs < policy.fastPhaseMs ? policy.fastIntervalMs : policy.slowIntervalMs;
  delay *= 1 + policy.jitter * (2 * random() - 1);
  if (ctx.retryAfterMs !== undefined) delay = Math.max(delay, ctx.retryAfterMs);
  if (ctx.untilExpiryMs > 0 && delay > ctx.untilExpiryMs) delay = ctx.untilExpiryMs;
  return Math.max(0, Math.round(delay));
}

/** What one answer of the proxy (or of a merchant's raw Bakong pass-through) means. */
export type CheckAnswer =
  | {
      kind: 'status';
      status: 'pending' | 'paid' | 'failed' | 'expired';
      serverNow?: number;
      expiresAt?: number;
      /** The server cannot ask Bakong for now (quota): it confirms the payment later. */
      delayed?: true;
      /** When it was paid (server clock, ms). */
      paidAt?: number;
    }
  /** Network trouble, 5xx, 429, timeouts, unreadable bodies: try again later. */
  | { kind: 'transport'; retryAfterMs?: number }
  /**
   * The proxy refuses this checkout (unknown md5, invalid QR), or this page (`origin_not_allowed`),
   * or no proxy answers at the endpoint (`endpoint_not_found`): polling cannot help.
   */
  | { kind: 'config'; code: string; message: string; status: number };

const STATUSES = ['pending', 'paid', 'failed', 'expired'];

/**
 * Reads an answer: the proxy's `{status, serverNow, expiresAt}`, its `{error}` bodies, or a raw
 * Bakong envelope (`responseCode` / `errorCode` / `data`) from a merchant's own pass-through.
 * Only `errorCode 1` is pending; a transport problem is never "failed".
 */
export function interpretAnswer(
  httpStatus: number,
  body: unknown,
  retryAfter: string | null = null,
): CheckAnswer {
  const retryAfterMs =
    retryAfter !== null && Number.isFinite(Number(retryAfter))
      ? Number(retryAfter) * 1000
      : undefined;
  const transport = (): CheckAnswer =>
    retryAfterMs === undefined ? { kind: 'transport' } : { kind: 'transport', retryAfterMs };
  if (httpStatus === 429 || httpStatus >= 500 || httpStatus === 0) return transport();
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const error = (b.error ?? {}) as { code?: unknown; message?: unknown };
  // Token or network trouble behind a merchant's own pass-through: the server's problem, not the QR's.
  if ((httpStatus === 401 || httpStatus === 403) && error.code !== 'origin_not_allowed')
    return transport();
  if (httpStatus >= 400) {
    const code = typeof error.code === 'string' ? error.code : '';
    return {
      kind: 'config',
      // No proxy route there (a page's HTML 404, the proxy's own not_found or 405), not a
      // refusal of this QR such as `unknown_md5`.
      code:
        (httpStatus === 404 || httpStatus === 405) &&
        (!code || code === 'not_found' || code === 'method_not_allowed')
          ? 'endpoint_not_found'
          : code || `http_${httpStatus}`,
      message:
        typeof error.message === 'string'
          ? error.message
          : `The payment server answered ${httpStatus}.`,
      status: httpStatus,
    };
  }
  if (typeof b.status === 'string' && STATUSES.includes(b.status)) {
    const answer: CheckAnswer = { kind: 'status', status: b.status as 'pending' };
    if (typeof b.serverNow === 'number') answer.serverNow = b.serverNow;
    if (typeof b.expiresAt === 'number') answer.expiresAt = b.expiresAt;
    if (b.delayed === true) answer.delayed = true;
    if (b.status === 'paid' && typeof b.paidAt === 'number') answer.paidAt = b.paidAt;
    return answer;
  }
  if (b.responseCode === 0 && b.data) return { kind: 'status', status: 'paid' };
  if (b.responseCode === 1) {
    if (
      b.errorCode === 3 ||
      (b.errorCode === 1 && /transaction failed/i.test(String(b.responseMessage)))
    )
      return { kind: 'status', status: 'failed' };
    if (b.errorCode === 1) return { kind: 'status', status: 'pending' };
  }
  return transport();
}
