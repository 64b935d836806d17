import { createHmac, randomUUID } from 'node:crypto';

/** A bearer token the sandbox accepts. */
export interface SandboxToken {
  token: string;
  /** Expiry, ms; `null` never expires. */
  expiresAt: number | null;
  /** The registered email, for `renew_token`. */
  email: string | null;
}

/** A token given to `startSandbox`: the token text, or with its expiry and email. */
export type TokenInput =
  | string
  | { token: string; expiresAt?: number | null; email?: string | null };

const SECRET = 'khqr-checkout-sandbox';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Makes a JWT shaped like Bakong's (`{data: {id}, iat, exp}`), signed with the sandbox's key. */
export function makeJwt(issuedAt: number, expiresAt: number, id: string = randomUUID()): string {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({
    data: { id },
    iat: Math.floor(issuedAt / 1000),
    exp: Math.floor(expiresAt / 1000),
  });
  const signature = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** The `exp` of a JWT, in ms, or `null` when the token is not a JWT with an `exp`. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return null;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** The development token printed at start when no `--token` is given: a JWT valid until 2100. */
export const DEV_TOKEN = makeJwt(Date.UTC(2026, 0, 1), Date.UTC(2100, 0, 1), 'khqr-checkout-dev');
/** The email the development token is registered to (for `renew_token`). */
export const DEV_EMAIL = 'dev@sandbox.khqr-checkout.test';
/** Lifetime of tokens the sandbox issues: 90 days, as Bakong's. */
export const TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;

/** The tokens a sandbox accepts. */
export class TokenStore {
  private readonly tokens = new Map<string, SandboxToken>();

  constructor(initial: TokenInput[]) {
    for (const t of initial) this.add(t);
  }

  /** Registers a token (its expiry read from the JWT when not given). */
  add(input: TokenInput): SandboxToken {
    const t = typeof input === 'string' ? { token: input } : input;
    if (typeof t.token !== 'string' || t.token.length === 0)
      throw new Error('A token must be a non-empty string');
    const entry: SandboxToken = {
      token: t.token,
      expiresAt: t.expiresAt === undefined ? jwtExpiry(t.token) : t.expiresAt,
      email: t.email ?? null,
    };
    this.tokens.set(entry.token, entry);
    return entry;
  }

  /** Issues a new JWT valid for `ttlMs` from `now`. */
  issue(now: number, ttlMs = TOKEN_LIFETIME_MS, email: string | null = null): SandboxToken {
    return this.add({ token: makeJwt(now, now + ttlMs), expiresAt: now + ttlMs, email });
  }

  /** Makes a token expire at `now` (false when unknown). */
  expire(token: string, now: number): boolean {
    const entry = this.tokens.get(token);
    if (!entry) return false;
    entry.expiresAt = now;
    return true;
  }

  /** Whether `token` is known and not expired at `now`. */
  valid(token: string, now: number): boolean {
    const entry = this.tokens.get(token);
    return entry !== undefined && (entry.expiresAt === null || entry.expiresAt > now);
  }

  /** The newest token registered to `email`, if any. */
  byEmail(email: string): SandboxToken | undefined {
    return [...this.tokens.values()].reverse().find((t) => t.email === email);
  }

  list(): SandboxToken[] {
    return [...this.tokens.values()];
  }
}
