import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Envelope, error, MESSAGES, ok, sendEnvelope } from './envelope.ts';
import { BodyError, readJson } from './http.ts';
import type { Ledger, QrRecord } from './ledger.ts';
import { PaymentRefused } from './ledger.ts';
import { type DailyQuota, QUOTA_ENVELOPE } from './quota.ts';
import type { TokenStore } from './tokens.ts';

/** What a Bakong endpoint handler gets. */
export interface BakongContext {
  ledger: Ledger;
  tokens: TokenStore;
  now: () => number;
  /** The sandbox's own URL, for deep links into its bank-app page. */
  baseUrl: () => string;
  /** Whether a Bakong account exists, for `check_bakong_account`. */
  accountExists(id: string): boolean;
  /** The daily quota, for md5 lists counted per md5 (the call itself is counted before). */
  quota: Pick<DailyQuota, 'takeListItems'>;
}

/** One item of a `check_transaction_by_md5_list` answer; `message` may be missing. */
export interface Md5ListItem {
  md5: string;
  status: string;
  message?: string;
  data: unknown;
}

type Reply = { status: number; body: Envelope };
type Handler = (body: unknown, ctx: BakongContext) => Reply;

const reply = (status: number, body: Envelope): Reply => ({ status, body });
const missing = (what: string) => reply(400, error(5, `${MESSAGES.missing} ${what}`));

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

/** A string of 1–255 characters, or the 400 / errorCode 5 answer. */
function hashField(body: unknown, name: string): string | Reply {
  const value = field(body, name);
  if (typeof value !== 'string' || value.length === 0) return missing(`"${name}" is required.`);
  if (value.length > 255) return reply(400, error(5, `"${name}" must be 1 to 255 characters.`));
  return value;
}

/** One md5's answer: transaction, failed, static QR or not found. */
function md5Status(record: QrRecord | undefined): { status: string; envelope: Envelope } {
  if (record?.status === 'paid') return { status: 'SUCCESS', envelope: ok(record.transaction) };
  if (record?.status === 'failed') return { status: 'FAILED', envelope: error(3, MESSAGES.failed) };
  if (record?.data && !record.data.dynamic)
    return { status: 'STATIC_QR', envelope: error(2, MESSAGES.staticQr) };
  return { status: 'NOT_FOUND', envelope: error(1, MESSAGES.notFound) };
}

/** A JSON array of ≤ 50 strings, as a list body (also accepted as `{md5List}` / `{hashList}`). */
function listBody(body: unknown, key: string): string[] | Reply {
  const list = Array.isArray(body) ? body : field(body, key);
  if (!Array.isArray(list) || list.length === 0)
    return missing(`A JSON array of 1 to 50 values (or {"${key}": [...]}) is required.`);
  if (list.length > 50) return reply(400, error(5, 'At most 50 values per request.'));
  if (!list.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 255)) {
    return reply(400, error(5, 'Every value must be a string of 1 to 255 characters.'));
  }
  return list as string[];
}

const isReply = (v: unknown): v is Reply =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

/** The simulated Bakong Open API, by endpoint name. `auth` marks the ones that need a token. */
export const BAKONG_ENDPOINTS: Record<string, { auth: boolean; handle: Handler }> = {
  check_transaction_by_md5: {
    auth: true,
    handle(body, { ledger }) {
      const md5 = hashField(body, 'md5');
      if (isReply(md5)) return md5;
      const { envelope } = md5Status(ledger.checked(md5.toLowerCase()));
      return reply(200, envelope);
    },
  },
  check_transaction_by_hash: {
    auth: true,
    handle(body, { ledger }) {
      const hash = hashField(body, 'hash');
      if (isReply(hash)) return hash;
      const record = ledger.byTransactionHash(hash);
      return reply(200, record ? ok(record.transaction) : error(1, MESSAGES.notFound));
    },
  },
  check_transaction_by_short_hash: {
    auth: true,
    handle(body, { ledger }) {
      const hash = field(body, 'hash');
      const amount = field(body, 'amount');
      const currency = field(body, 'currency');
      if (typeof hash !== 'string' || hash.length !== 8 || !/^[0-9a-f]+$/i.test(hash)) {
        return missing('"hash" must be the first 8 hex characters of the transaction hash.');
      }
      if (typeof amount !== 'number' || !Number.isFinite(amount))
        return missing('"amount" must be a number.');
      if (currency !== 'KHR' && currency !== 'USD')
        return missing('"currency" must be "KHR" or "USD".');
      const record = ledger.byShortHash(hash, amount, currency);
      return reply(200, record ? ok(record.transaction) : error(1, MESSAGES.notFound));
    },
  },
  check_transaction_by_md5_list: {
    auth: true,
    handle(body, { ledger, quota }) {
      const list = listBody(body, 'md5List');
      if (isReply(list)) return list;
      if (quota.takeListItems(list.length)) return reply(200, QUOTA_ENVELOPE);
      const data = list.map((md5): Md5ListItem => {
        const { status, envelope } = md5Status(ledger.checked(md5.toLowerCase()));
        return { md5, status, message: envelope.responseMessage, data: envelope.data };
      });
      return reply(200, ok(data));
    },
  },
  check_transaction_by_hash_list: {
    auth: true,
    handle(body, { ledger }) {
      const list = listBody(body, 'hashList');
      if (isReply(list)) return list;
      const data = list.map((hash) => {
        const record = ledger.byTransactionHash(hash);
        return record
          ? {
              hash,
              status: 'SUCCESS',
              message: 'Getting transaction successfully.',
              data: record.transaction,
            }
          : { hash, status: 'NOT_FOUND', message: MESSAGES.notFound, data: null };
      });
      return reply(200, ok(data));
    },
  },
  generate_deeplink_by_qr: {
    auth: false,
    handle(body, { ledger, baseUrl }) {
      const qr = field(body, 'qr');
      if (typeof qr !== 'string' || qr.length === 0) return missing('"qr" is required.');
      const source = field(body, 'sourceInfo');
      if (source !== undefined && source !== null) {
        const s = source as Record<string, unknown>;
        if (
          typeof source !== 'object' ||
          !['appIconUrl', 'appName', 'appDeepLinkCallback'].every(
            (k) => typeof s[k] === 'string' && s[k] !== '',
          )
        ) {
          return missing('"sourceInfo" needs appIconUrl, appName and appDeepLinkCallback.');
        }
      }
      try {
        const record = ledger.see(qr, 'deeplink');
        return reply(
          200,
          ok(
            { shortLink: `${baseUrl()}/bank/?md5=${record.md5}` },
            'Getting deeplink successfully.',
          ),
        );
      } catch (e) {
        if (e instanceof PaymentRefused)
          return reply(200, error(4, `Deeplink could not be generated: ${e.message}`));
        throw e;
      }
    },
  },
  renew_token: {
    auth: false,
    handle(body, { tokens, now }) {
      const email = field(body, 'email');
      if (typeof email !== 'string' || email.length === 0) return missing('"email" is required.');
      if (!tokens.byEmail(email)) return reply(200, error(10, 'This email is not registered.'));
      return reply(
        200,
        ok({ token: tokens.issue(now(), undefined, email).token }, 'Token has been renewed.'),
      );
    },
  },
  check_bakong_account: {
    auth: false,
    handle(body, { accountExists }) {
      const id = field(body, 'accountId');
      if (typeof id !== 'string' || id.length === 0) return missing('"accountId" is required.');
      if (id.length > 32 || !/^[^@\s]+@[^@\s]+$/.test(id))
        return reply(200, error(12, 'Bakong Account ID is invalid.'));
      return reply(
        200,
        accountExists(id)
          ? ok(null, 'Account ID exists.')
          : error(11, 'Bakong Account ID could not be found.'),
      );
    },
  },
};

/**
 * Answers one request to a Bakong endpoint (after any injected fault); `alter` rewrites what the
 * endpoint answers, for faults that change the items of a list.
 */
export async function handleBakong(
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: BakongContext,
  alter: (answer: Envelope) => Envelope = (answer) => answer,
): Promise<void> {
  const endpoint = BAKONG_ENDPOINTS[name] as (typeof BAKONG_ENDPOINTS)[string];
  if (req.method !== 'POST') {
    sendEnvelope(res, 405, error(null, 'Method Not Allowed: use POST.'), { allow: 'POST' });
    return;
  }
  if (endpoint.auth) {
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (!token || !ctx.tokens.valid(token, ctx.now())) {
      // The body is still drained so the connection can be reused.
      req.resume();
      sendEnvelope(res, 401, error(6, MESSAGES.unauthorized));
      return;
    }
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (e) {
    if (!(e instanceof BodyError)) throw e;
    sendEnvelope(
      res,
      e.status,
      error(5, e.message),
      e.status === 413 ? { connection: 'close' } : {},
    );
    return;
  }
  const { status, body: envelope } = endpoint.handle(body, ctx);
  sendEnvelope(res, status, alter(envelope));
}
