import type { SessionProblem } from './checkout-session.ts';

/**
 * A {@link SessionProblem} in one English line naming what to fix: the English card's text, the
 * console's, and the message of the error it raises.
 */
export const problemText = (p: Omit<SessionProblem, 'detail'>): string =>
  p.kind === 'origin_not_allowed'
    ? `This page's origin (${p.origin}) is not in the payment server's allowed origins (allowedOrigins, KHQR_ALLOWED_ORIGINS).`
    : p.kind === 'endpoint_not_found'
      ? `No payment server at ${p.endpoint} (${p.status}). Check the card's endpoint.`
      : `Can't reach the payment server at ${p.endpoint}${p.status ? ` (it answered ${p.status}, not the proxy)` : ''}. Still trying…`;
