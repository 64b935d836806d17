import type { PaidEvent } from './events.ts';

/** Why {@link verifyKhqrWebhook} refused a delivery. */
export type KhqrWebhookErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'bad_signature'
  | 'invalid_body';

/**
 * A webhook delivery that did not verify. `code` is stable; the message says what is wrong and how
 * to fix it, and never carries the secret. Answer such a request with a 4xx.
 */
export class KhqrWebhookError extends Error {
  constructor(
    /** Stable reason, for branching and logs. */
    readonly code: KhqrWebhookErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KhqrWebhookError';
  }
}

/** Options of {@link verifyKhqrWebhook}. */
export interface VerifyKhqrWebhookOptions {
  /**
   * How far the signed timestamp may be from `now`, either way, in seconds. Bounds how long a
   * captured delivery can be replayed.
   * @default 300
   */
  toleranceSec?: number;
  /**
   * The clock, in milliseconds since the epoch.
   * @default Date.now
   */
  now?: () => number;
}

/** Options of {@link webhookDelivery}. */
export interface WebhookDeliveryOptions {
  /** The merchant's receiver: an `http:` or `https:` URL, answered without a redirect. */
  url: string;
  /** The shared secret the deliveries are signed with; the receiver verifies with the same one. */
  secret: string;
  /**
   * How long to wait for the receiver's answer (its status line and headers), in milliseconds.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * The `fetch` used to POST.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * The clock the signature's timestamp is taken from, in milliseconds since the epoch.
   * @default Date.now
   */
  now?: () => number;
}

const DEFAULT_TOLERANCE_SEC = 300;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Real headers are ~80 characters per signature; anything far longer is not ours. */
const MAX_HEADER_LENGTH = 8192;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

const encoder = new TextEncoder();

function assertSecret(secret: unknown, where: string): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0)
    throw new TypeError(`[khqr] ${where}: the webhook secret must be a non-empty string.`);
}

/** Lowercase hex HMAC-SHA256 of `<t>.<rawBody>` (UTF-8), with WebCrypto only. */
async function hmacHex(secret: string, timestampSec: number, rawBody: string): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await globalThis.crypto.subtle.sign(
    'HMAC',
    key,
    encoder.encode(`${timestampSec}.${rawBody}`),
  );
  let hex = '';
  for (const byte of new Uint8Array(mac)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Equal-length strings compared without an early exit, so the time taken does not tell an attacker
 * how many leading characters of a forged signature were right.
 */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Signs a webhook body, Stripe-style: the header value `t=<unix seconds>,v1=<hex>`, where the hex is
 * the lowercase HMAC-SHA256, keyed with `secret`, of `<t>.<rawBody>` (UTF-8). Uses WebCrypto only,
 * so it runs in Node 20+, Workers, Deno and Bun.
 *
 * @param secret The shared webhook secret (non-empty).
 * @param rawBody The exact bytes that will be sent, as a string.
 * @param timestampSec The signing time in unix seconds.
 * @default timestampSec `Math.floor(Date.now() / 1000)`
 * @returns The value of the `X-Khqr-Signature` header.
 * @example
 * const body = JSON.stringify(event);
 * await fetch(url, { method: 'POST', body, headers: { 'x-khqr-signature': await signKhqrWebhook(secret, body) } });
 */
export async function signKhqrWebhook(
  secret: string,
  rawBody: string,
  timestampSec: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  assertSecret(secret, 'signKhqrWebhook');
  if (typeof rawBody !== 'string')
    throw new TypeError('[khqr] signKhqrWebhook: rawBody must be the string that will be sent.');
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0)
    throw new RangeError(
      `[khqr] signKhqrWebhook: invalid timestamp ${timestampSec}: must be whole unix seconds ≥ 0.`,
    );
  return `t=${timestampSec},v1=${await hmacHex(secret, timestampSec, rawBody)}`;
}

/** `t` and every `v1` of a signature header; other schemes are ignored. */
function parseHeader(header: string): { timestampSec: number; signatures: string[] } {
  const malformed = (why: string) =>
    new KhqrWebhookError(
      'malformed_header',
      `[khqr] Malformed X-Khqr-Signature header: ${why}. Expected "t=<unix seconds>,v1=<hex HMAC-SHA256>"; pass the header's value unchanged.`,
    );
  if (header.length > MAX_HEADER_LENGTH)
    throw malformed(`${header.length} characters, over ${MAX_HEADER_LENGTH}`);
  if (/^\s*sha256=/i.test(header))
    throw malformed(
      'it has the old "sha256=<hex>" form; upgrade the proxy that sends it, which now signs "t=…,v1=…"',
    );
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const scheme = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (scheme === 't') {
      if (timestamp !== undefined) throw malformed('"t=" appears more than once');
      timestamp = value;
    } else if (scheme === 'v1') {
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined) throw malformed('no "t=" timestamp');
  const timestampSec = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(timestampSec))
    throw malformed('"t=" is not whole unix seconds');
  if (signatures.length === 0) throw malformed('no "v1=" signature');
  return { timestampSec, signatures };
}

/**
 * Verifies a paid-webhook delivery and returns its event. Checks, in order: the header is there and
 * well formed (`t=<unix seconds>` once, one or more `v1=<hex>` — several during a secret rotation;
 * other schemes are ignored); one `v1` is the HMAC-SHA256 of `<t>.<rawBody>` under `secret`
 * (compared in constant time); `t` is within `toleranceSec` of `now()`, either way, so a captured
 * delivery cannot be replayed later; the body is a JSON object with `type: "khqr.paid"` and a string
 * `id`. Anything else throws a {@link KhqrWebhookError} with a stable `code`: answer it with a 4xx.
 *
 * Pass the body **exactly as received**: parsing and re-serializing the JSON changes its bytes and
 * the signature will not match. Deliveries are at least once: be idempotent on `event.id`.
 *
 * @param secret The shared webhook secret.
 * @param header The `X-Khqr-Signature` header's value.
 * @param rawBody The raw request body, decoded as UTF-8.
 * @throws {KhqrWebhookError} `missing_header`, `malformed_header`, `bad_signature`,
 *   `timestamp_out_of_tolerance` or `invalid_body`.
 * @example
 * import { createServer } from 'node:http';
 * import { KhqrWebhookError, verifyKhqrWebhook } from '@khqr-checkout/proxy';
 *
 * createServer(async (req, res) => {
 *   const chunks: Buffer[] = [];
 *   for await (const chunk of req) chunks.push(chunk);
 *   const rawBody = Buffer.concat(chunks).toString('utf8'); // raw: not JSON.parse'd and re-stringified
 *   try {
 *     const event = await verifyKhqrWebhook(
 *       process.env.KHQR_WEBHOOK_SECRET!,
 *       req.headers['x-khqr-signature'] as string | undefined,
 *       rawBody,
 *     );
 *     await orders.markPaid(event.orderId, { eventId: event.id }); // idempotent on event.id, committed
 *     res.writeHead(204).end();
 *   } catch (error) {
 *     res.writeHead(error instanceof KhqrWebhookError ? 400 : 500).end();
 *   }
 * }).listen(8000);
 */
export async function verifyKhqrWebhook(
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  options: VerifyKhqrWebhookOptions = {},
): Promise<PaidEvent> {
  assertSecret(secret, 'verifyKhqrWebhook');
  const toleranceSec = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (!Number.isFinite(toleranceSec) || toleranceSec <= 0)
    throw new RangeError(
      `[khqr] verifyKhqrWebhook: invalid toleranceSec ${toleranceSec}: must be a positive number of seconds (default 300).`,
    );
  const now = options.now ?? Date.now;

  if (header == null || (typeof header === 'string' && header.trim() === ''))
    throw new KhqrWebhookError(
      'missing_header',
      '[khqr] No X-Khqr-Signature header: pass request.headers["x-khqr-signature"], and check that no proxy in front of your server strips it.',
    );
  if (typeof header !== 'string')
    throw new KhqrWebhookError(
      'malformed_header',
      `[khqr] The X-Khqr-Signature header must be a string, got ${Array.isArray(header) ? 'an array (the header was sent twice?)' : typeof header}: pass its single value.`,
    );
  if (typeof rawBody !== 'string')
    throw new KhqrWebhookError(
      'invalid_body',
      `[khqr] The body must be the raw request body as a string, got ${rawBody === null ? 'null' : typeof rawBody}: read it unparsed (express.raw(), await request.text()), not the parsed JSON.`,
    );
  const { timestampSec, signatures } = parseHeader(header);

  const expected = await hmacHex(secret, timestampSec, rawBody);
  // Every candidate is compared, so the time taken does not reveal which one matched.
  let matched = false;
  for (const signature of signatures)
    if (HEX_SHA256.test(signature) && timingSafeEqual(signature, expected)) matched = true;
  if (!matched)
    throw new KhqrWebhookError(
      'bad_signature',
      '[khqr] Webhook signature does not match: use the raw request body exactly as received, not re-serialized JSON, and the same secret the proxy signs with.',
    );

  // Checked after the signature, so only an authentic but old (or early) delivery gets this code.
  const skewSec = Math.abs(now() / 1000 - timestampSec);
  if (!(skewSec <= toleranceSec))
    throw new KhqrWebhookError(
      'timestamp_out_of_tolerance',
      `[khqr] Webhook timestamp is ${Math.round(skewSec)} s from this server's clock, over the ${toleranceSec} s tolerance: a replayed delivery, or a wrong clock here (sync it with NTP).`,
    );

  let event: unknown;
  try {
    event = JSON.parse(rawBody);
  } catch {
    throw new KhqrWebhookError(
      'invalid_body',
      '[khqr] The signed webhook body is not JSON: pass the request body, decoded as UTF-8.',
    );
  }
  if (
    typeof event !== 'object' ||
    event === null ||
    Array.isArray(event) ||
    (event as { type?: unknown }).type !== 'khqr.paid' ||
    typeof (event as { id?: unknown }).id !== 'string'
  )
    throw new KhqrWebhookError(
      'invalid_body',
      '[khqr] The signed webhook body is not a khqr.paid event (an object with type "khqr.paid" and a string id): check the URL receives only this proxy\'s paid webhook.',
    );
  return event as PaidEvent;
}

/**
 * A function that delivers one paid event to the merchant's receiver: POSTs `JSON.stringify(event)`
 * with `content-type: application/json`, `x-khqr-signature` (see {@link signKhqrWebhook}, signed at
 * each attempt), `x-khqr-event-id` and `user-agent: khqr-checkout-proxy`. Redirects are not
 * followed (a 3xx is a failure). Resolves on a 2xx; rejects on any other answer, a network error or
 * no answer within `timeoutMs`, with a message naming the status or cause and never the secret or
 * body. Retrying is the caller's job (the settlement outbox); the event `id` is the same each time.
 *
 * @throws {TypeError} At once, on an empty secret or a URL that is not `http:`/`https:`.
 * @example
 * const deliver = webhookDelivery({ url: 'https://shop.example/khqr-paid', secret: process.env.KHQR_WEBHOOK_SECRET! });
 * createKhqrProxy({ …, onPaid: deliver });
 */
export function webhookDelivery(
  options: WebhookDeliveryOptions,
): (event: PaidEvent) => Promise<void> {
  assertSecret(options.secret, 'webhookDelivery');
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError('[khqr] webhookDelivery: url is not an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(
      `[khqr] webhookDelivery: url must be http: or https:, got ${url.protocol}.`,
    );
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(
      `[khqr] webhookDelivery: invalid timeoutMs ${timeoutMs}: must be a positive number of milliseconds.`,
    );
  const { secret } = options;
  const now = options.now ?? Date.now;
  // Errors name the origin only: a path or query may carry a token of the merchant's.
  const where = url.origin;

  return async (event) => {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const body = JSON.stringify(event);
    const signature = await signKhqrWebhook(secret, body, Math.floor(now() / 1000));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-khqr-signature': signature,
          'x-khqr-event-id': event.id,
          'user-agent': 'khqr-checkout-proxy',
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted)
        throw new Error(
          `[khqr] Webhook delivery to ${where} timed out: no answer within ${timeoutMs} ms. The receiver should commit and answer quickly, and do slow work afterwards.`,
        );
      throw new Error(`[khqr] Webhook delivery to ${where} failed: ${describe(error)}.`);
    } finally {
      clearTimeout(timer);
    }
    // The answer's body is never read; cancelling it frees the connection.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return;
    // A browser-like fetch hides a manual redirect behind an opaque response with status 0.
    if ((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect')
      throw new Error(
        `[khqr] Webhook delivery to ${where} answered ${response.status || 'a redirect'}: redirects are not followed; configure the final URL of the receiver.`,
      );
    throw new Error(`[khqr] Webhook delivery to ${where} answered ${response.status}.`);
  };
}

/** A network error's reason, e.g. `ECONNREFUSED`, without anything the request carried. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'network error';
}
