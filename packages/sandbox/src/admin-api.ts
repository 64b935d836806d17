import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxClock } from './clock.ts';
import { type FaultTable, parseFault } from './faults.ts';
import { BodyError, readJson, sendJson } from './http.ts';
import {
  type Ledger,
  PaymentRefused,
  type PayOptions,
  type QrRecord,
  type QrRef,
} from './ledger.ts';
import type { DailyQuota } from './quota.ts';
import type { TokenStore } from './tokens.ts';

/** The prefix of the admin API: a path the real Bakong does not use. */
export const ADMIN_PREFIX = '/_sandbox';

/**
 * Request counters per endpoint: total, by HTTP status, and by the `errorCode` of the JSON
 * envelopes answered (answers without an errorCode, such as successes, are not counted there).
 */
export type Counters = Record<
  string,
  { requests: number; byStatus: Record<string, number>; byErrorCode: Record<string, number> }
>;

export interface AdminContext {
  ledger: Ledger;
  tokens: TokenStore;
  faults: FaultTable;
  clock: SandboxClock;
  counters: Counters;
  endpoints: readonly string[];
  quota: DailyQuota;
  reset(): void;
}

/** The public view of a QR record (the bank-app page and tests read this). */
export function describe(record: QrRecord, now: number) {
  const d = record.data;
  return {
    md5: record.md5,
    qr: record.qr,
    source: record.source,
    status: record.status,
    seenAt: record.seenAt,
    checks: record.checks,
    lastCheckedAt: record.lastCheckedAt,
    merchantName: d?.merchantName ?? null,
    merchantCity: d?.merchantCity ?? null,
    bakongAccountId: d?.bakongAccountId ?? null,
    currency: d?.currency ?? null,
    amount: d?.amount ?? null,
    /** Tag 62-01: the shop's order or bill number, when the QR carries one. */
    billNumber: d?.billNumber ?? null,
    /** Tag 62-03: the shop's branch or store label. */
    storeLabel: d?.storeLabel ?? null,
    /** Tag 62-08: the purpose of the transaction. */
    purpose: d?.purpose ?? null,
    dynamic: d?.dynamic ?? null,
    expiresAt: d?.expiresAt ?? null,
    expired: d?.expiresAt !== undefined && d?.expiresAt !== null ? d.expiresAt < now : false,
    transaction: record.transaction,
  };
}

type Route = (body: unknown, ctx: AdminContext) => { status: number; body: unknown };

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const object = (body: unknown): Record<string, unknown> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AdminError(400, 'Send a JSON object.');
  return body as Record<string, unknown>;
};

function qrRef(body: unknown): QrRef {
  const b = object(body);
  if (typeof b.qr === 'string') return { qr: b.qr };
  if (typeof b.md5 === 'string') return { md5: b.md5 };
  throw new AdminError(400, 'Give "qr" (the payload) or "md5" (of a QR the sandbox has seen).');
}

function payOptions(body: Record<string, unknown>): PayOptions {
  const options: PayOptions = {};
  if (body.payer !== undefined) {
    if (typeof body.payer !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(body.payer))
      throw new AdminError(400, '"payer" must be a Bakong account ID such as "sok_dara@devb".');
    options.payer = body.payer;
  }
  if (body.overrides !== undefined)
    options.overrides = object(body.overrides) as PayOptions['overrides'] & object;
  return options;
}

function refused(error: unknown): never {
  if (error instanceof PaymentRefused)
    throw new AdminError(error.reason === 'unknown-qr' ? 404 : 409, error.message);
  throw error;
}

const GET: Record<string, Route> = {
  '/qrs': (_, ctx) => ({
    status: 200,
    body: ctx.ledger.listed().map((r) => describe(r, ctx.clock.now())),
  }),
  '/clock': (_, ctx) => ({ status: 200, body: { now: ctx.clock.now(), offset: ctx.clock.offset } }),
  '/faults': (_, ctx) => ({ status: 200, body: ctx.faults.list() }),
  '/counters': (_, ctx) => ({ status: 200, body: ctx.counters }),
  '/quota': (_, ctx) => ({ status: 200, body: ctx.quota.state() }),
  '/tokens': (_, ctx) => ({
    status: 200,
    body: ctx.tokens.list().map(({ token, expiresAt }) => ({ token, expiresAt })),
  }),
};

const POST: Record<string, Route> = {
  '/quota': (body, ctx) => {
    const { dailyLimit: limit, perMd5 } = object(body);
    if (limit === undefined && perMd5 === undefined)
      throw new AdminError(400, 'Give "dailyLimit", "perMd5" or both.');
    if (
      limit !== undefined &&
      limit !== null &&
      !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 0)
    )
      throw new AdminError(400, '"dailyLimit" must be a whole number ≥ 0, or null for no limit.');
    if (perMd5 !== undefined && typeof perMd5 !== 'boolean')
      throw new AdminError(400, '"perMd5" must be true (count each md5 of a list) or false.');
    // Both are checked before either is applied, so a refused request changes nothing.
    if (limit !== undefined) ctx.quota.setLimit(limit);
    if (perMd5 !== undefined) ctx.quota.setPerMd5(perMd5);
    return { status: 200, body: ctx.quota.state() };
  },
  '/qrs': (body, ctx) => {
    const qr = object(body).qr;
    if (typeof qr !== 'string') throw new AdminError(400, 'Give "qr", the KHQR payload.');
    try {
      return { status: 201, body: describe(ctx.ledger.see(qr, 'scan'), ctx.clock.now()) };
    } catch (error) {
      refused(error);
    }
  },
  '/qrs/clear': (_, ctx) => ({ status: 200, body: { cleared: ctx.ledger.clearList() } }),
  '/pay': (body, ctx) => {
    try {
      const record = ctx.ledger.pay(qrRef(body), payOptions(object(body)));
      return { status: 200, body: describe(record, ctx.clock.now()) };
    } catch (error) {
      refused(error);
    }
  },
  '/fail': (body, ctx) => {
    try {
      return { status: 200, body: describe(ctx.ledger.fail(qrRef(body)), ctx.clock.now()) };
    } catch (error) {
      refused(error);
    }
  },
  '/clock': (body, ctx) => {
    const b = object(body);
    if (typeof b.advanceMs === 'number' && Number.isFinite(b.advanceMs))
      ctx.clock.advance(b.advanceMs);
    else if (typeof b.now === 'number' && Number.isFinite(b.now)) ctx.clock.set(b.now);
    else
      throw new AdminError(400, 'Give "advanceMs" (a number of ms) or "now" (a timestamp in ms).');
    return { status: 200, body: { now: ctx.clock.now(), offset: ctx.clock.offset } };
  },
  '/tokens': (body, ctx) => {
    const b = object(body);
    const ttl = b.ttlSeconds === undefined ? undefined : Number(b.ttlSeconds);
    if (ttl !== undefined && !(ttl > 0))
      throw new AdminError(400, '"ttlSeconds" must be a number > 0.');
    if (b.email !== undefined && typeof b.email !== 'string')
      throw new AdminError(400, '"email" must be a string.');
    const t = ctx.tokens.issue(
      ctx.clock.now(),
      ttl === undefined ? undefined : ttl * 1000,
      (b.email as string | undefined) ?? null,
    );
    return { status: 201, body: { token: t.token, expiresAt: t.expiresAt } };
  },
  '/tokens/expire': (body, ctx) => {
    const token = object(body).token;
    if (typeof token !== 'string') throw new AdminError(400, 'Give "token".');
    if (!ctx.tokens.expire(token, ctx.clock.now())) throw new AdminError(404, 'Unknown token.');
    return { status: 200, body: { token, expired: true } };
  },
  '/faults': (body, ctx) => {
    let spec: ReturnType<typeof parseFault>;
    try {
      spec = parseFault(body, ctx.endpoints);
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
    return { status: 201, body: ctx.faults.add(spec) };
  },
  '/reset': (_, ctx) => {
    ctx.reset();
    return { status: 200, body: { reset: true } };
  },
};

const DELETE: Record<string, Route> = {
  '/faults': (_, ctx) => {
    ctx.faults.clear();
    return { status: 200, body: { cleared: true } };
  },
};

const ROUTES: Record<string, Record<string, Route>> = { GET, POST, DELETE };

/** Answers a request under {@link ADMIN_PREFIX}. */
export async function handleAdmin(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: AdminContext,
): Promise<void> {
  const route = ROUTES[req.method ?? '']?.[path];
  if (!route) {
    const known = Object.entries(ROUTES).some(([, routes]) => path in routes);
    sendJson(res, known ? 405 : 404, {
      error: known ? 'Method not allowed' : `No admin route ${path}`,
    });
    req.resume();
    return;
  }
  try {
    const body =
      req.method === 'POST'
        ? await readJson(req).catch((e) => {
            // An empty body is fine for routes that take none.
            if (e instanceof BodyError && e.status === 400 && req.headers['content-length'] === '0')
              return {};
            throw e;
          })
        : undefined;
    const result = route(body, ctx);
    sendJson(res, result.status, result.body);
  } catch (error) {
    if (error instanceof AdminError || error instanceof BodyError) {
      sendJson(res, error.status, { error: error.message });
      return;
    }
    throw error;
  }
}
