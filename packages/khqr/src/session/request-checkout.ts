/**
 * Asks the merchant's server for a checkout's QR: `POST url` with a JSON body, answered with JSON
 * carrying `qr` (or `checkout.qr`, the shape of an order that holds its checkout). "New QR" on a
 * server-made QR sends `{md5}` of the QR it replaces. Rejects with a clear message on a refusal
 * (the error's `status` is the HTTP status), a network error or an answer without a QR.
 */
export async function requestCheckout(
  url: string,
  body: unknown = {},
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => null)) as {
    qr?: unknown;
    checkout?: { qr?: unknown } | null;
    error?: unknown;
  } | null;
  if (!response.ok) {
    const error = answer?.error as { message?: unknown } | string | undefined;
    const message = typeof error === 'string' ? error : error?.message;
    throw Object.assign(
      new Error(
        typeof message === 'string' ? message : `The shop's server answered ${response.status}.`,
      ),
      { status: response.status },
    );
  }
  const qr = answer?.qr ?? answer?.checkout?.qr;
  if (typeof qr !== 'string' || qr === '')
    throw new Error('The answer has no qr (expected {qr} or {checkout: {qr}}).');
  return qr;
}
