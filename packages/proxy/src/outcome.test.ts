import { type BakongOutcome, classify, isTransient } from '@khqr-checkout/proxy';
import { describe, expect, it } from 'vitest';

const h = (init: Record<string, string> = {}) => new Headers(init);
const env = (
  responseCode: number,
  errorCode: number | null,
  responseMessage = '',
  data: unknown = null,
) => JSON.stringify({ responseCode, errorCode, responseMessage, data });
const NOW = 1_767_225_600_000;

describe('classify: every row of bakong-api.md', () => {
  it.each<[string, number, Headers, string, BakongOutcome]>([
    [
      '200 + responseCode 0 → success',
      200,
      h(),
      env(0, null, 'ok', { hash: 'x' }),
      { kind: 'success', data: { hash: 'x' } },
    ],
    [
      'errorCode 1 → not found (pending)',
      200,
      h(),
      env(1, 1, 'Transaction could not be found. Please check and try again.'),
      { kind: 'not-found' },
    ],
    [
      'errorCode 1 "Transaction failed." → failed (the seed sample)',
      200,
      h(),
      env(1, 1, 'Transaction failed.'),
      { kind: 'failed' },
    ],
    ['errorCode 2 → static QR', 200, h(), env(1, 2), { kind: 'static-qr' }],
    ['errorCode 3 → failed', 200, h(), env(1, 3, 'Transaction failed.'), { kind: 'failed' }],
    ['errorCode 5 → bad request', 400, h(), env(1, 5), { kind: 'bad-request', errorCode: 5 }],
    ['errorCode 6 on 200 → unauthorized', 200, h(), env(1, 6), { kind: 'unauthorized' }],
    ['401 → unauthorized', 401, h(), env(1, 6), { kind: 'unauthorized' }],
    [
      'errorCode 17 on 200 → quota spent (the envelope integrators record)',
      200,
      h(),
      env(1, 17, 'Daily request limit of 100 exceeded. Please try again tomorrow.'),
      { kind: 'quota-exhausted', errorCode: 17 },
    ],
    [
      'an unknown code whose message names a quota → quota spent',
      200,
      h(),
      env(1, 99, 'Quota exceeded for this token'),
      { kind: 'quota-exhausted', errorCode: 99 },
    ],
    [
      'an unknown code saying "too many requests" → quota spent',
      400,
      h(),
      env(1, 18, 'Too many requests today'),
      { kind: 'quota-exhausted', errorCode: 18 },
    ],
    [
      '400 with an HTML page → bad request (not retried)',
      400,
      h({ 'content-type': 'text/html' }),
      '<html>Bad Request</html>',
      { kind: 'bad-request', errorCode: null },
    ],
    [
      '404 with an HTML page (a wrong URL) → bad request (not retried)',
      404,
      h({ 'content-type': 'text/html' }),
      '<html>Not Found</html>',
      { kind: 'bad-request', errorCode: null },
    ],
    [
      '504 "server is busy" → upstream error (transient)',
      504,
      h(),
      '<html>Gateway Time-out</html>',
      { kind: 'upstream-error', reason: 'http-5xx', status: 504 },
    ],
    [
      '403 HTML → forbidden',
      403,
      h({ 'content-type': 'text/html' }),
      '<html>403 Forbidden</html>',
      { kind: 'forbidden' },
    ],
    [
      '429 + Retry-After seconds → rate limited',
      429,
      h({ 'retry-after': '7' }),
      '',
      { kind: 'rate-limited', retryAfterMs: 7000 },
    ],
    [
      '429 + Retry-After date',
      429,
      h({ 'retry-after': new Date(NOW + 3000).toUTCString() }),
      '',
      { kind: 'rate-limited', retryAfterMs: 3000 },
    ],
    ['429 without Retry-After', 429, h(), '', { kind: 'rate-limited', retryAfterMs: 1000 }],
    [
      '500 → upstream error',
      500,
      h(),
      env(1, null),
      { kind: 'upstream-error', reason: 'http-5xx', status: 500 },
    ],
    [
      '503 HTML → upstream error',
      503,
      h(),
      '<html>',
      { kind: 'upstream-error', reason: 'http-5xx', status: 503 },
    ],
    [
      '302 → upstream error (never followed)',
      302,
      h({ location: 'https://elsewhere' }),
      '',
      { kind: 'upstream-error', reason: 'redirect', status: 302 },
    ],
    [
      '200 non-JSON → upstream error',
      200,
      h(),
      '<html>maintenance</html>',
      { kind: 'upstream-error', reason: 'non-json', status: 200 },
    ],
    [
      '200 JSON without an envelope',
      200,
      h(),
      '[1,2]',
      { kind: 'upstream-error', reason: 'bad-envelope', status: 200 },
    ],
    [
      '200 JSON null',
      200,
      h(),
      'null',
      { kind: 'upstream-error', reason: 'bad-envelope', status: 200 },
    ],
    [
      'errorCode 9 → upstream error (transient)',
      200,
      h(),
      env(1, 9),
      { kind: 'upstream-error', reason: 'cannot-connect', status: 200 },
    ],
    [
      'errorCode 4 → rejected (deep link)',
      200,
      h(),
      env(1, 4, 'provider'),
      { kind: 'rejected', errorCode: 4, message: 'provider' },
    ],
    [
      'errorCode 11 → rejected (account)',
      200,
      h(),
      env(1, 11, 'no'),
      { kind: 'rejected', errorCode: 11, message: 'no' },
    ],
    [
      'an unknown errorCode → unknown',
      200,
      h(),
      env(1, 77),
      { kind: 'unknown', errorCode: 77, status: 200 },
    ],
    [
      'responseCode 0 on a 404 → unknown, not success',
      404,
      h(),
      env(0, null),
      { kind: 'unknown', errorCode: null, status: 404 },
    ],
  ])('%s', (_, status, headers, body, expected) => {
    expect(classify(status, headers, body, NOW)).toEqual(expected);
  });

  it('only transport trouble is transient; nothing else is retried', () => {
    expect(isTransient({ kind: 'upstream-error', reason: 'timeout' })).toBe(true);
    expect(isTransient({ kind: 'rate-limited', retryAfterMs: 1 })).toBe(true);
    for (const kind of ['not-found', 'failed', 'static-qr', 'unauthorized', 'forbidden'] as const) {
      expect(isTransient({ kind } as BakongOutcome)).toBe(false);
    }
  });
});
