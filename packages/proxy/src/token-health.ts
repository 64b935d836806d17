/** What the proxy knows of its token's lifetime (never the token itself). */
export interface TokenHealth {
  /** From the JWT's `exp`, ms; `null` when the token is not a JWT with an `exp`. */
  expiresAt: number | null;
  daysLeft: number | null;
  /** True within 3 days of expiry, or after it. */
  expiringSoon: boolean;
  expired: boolean;
}

/** Bakong tokens last 90 days; NBC emails a warning 3 days before, and so does the proxy log. */
export const TOKEN_WARNING_MS = 3 * 24 * 3600 * 1000;

export function tokenHealth(token: string, now: number): TokenHealth {
  let expiresAt: number | null = null;
  const parts = token.split('.');
  if (parts.length === 3) {
    try {
      const { exp } = JSON.parse(
        atob((parts[1] as string).replace(/-/g, '+').replace(/_/g, '/')),
      ) as { exp?: unknown };
      if (typeof exp === 'number' && Number.isFinite(exp)) expiresAt = exp * 1000;
    } catch {
      expiresAt = null;
    }
  }
  if (expiresAt === null) return { expiresAt, daysLeft: null, expiringSoon: false, expired: false };
  return {
    expiresAt,
    daysLeft: Math.floor((expiresAt - now) / 86_400_000),
    expiringSoon: expiresAt - now <= TOKEN_WARNING_MS,
    expired: expiresAt <= now,
  };
}

/**
 * A token's fingerprint, stored with a pause it caused (never the token): the first 16 hex
 * characters of its SHA-256. A proxy restarted with another token is not bound by the old one's
 * pause.
 */
export async function tokenFingerprint(token: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}
