import { requestCheckout } from '@khqr-checkout/khqr/session';
import { describe, expect, it } from 'vitest';

/** A fetch answering `status` with `body`, recording what it was sent. */
function server(status: number, body: unknown) {
  const sent: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { sent, fetchImpl };
}

describe('requestCheckout', () => {
  it('posts the body as JSON and reads qr, or checkout.qr of an order', async () => {
    const flat = server(201, { qr: '000201A' });
    expect(await requestCheckout('/renew', { md5: 'ab' }, flat.fetchImpl)).toBe('000201A');
    expect(flat.sent[0]?.init.method).toBe('POST');
    expect(JSON.parse(flat.sent[0]?.init.body as string)).toEqual({ md5: 'ab' });
    const order = server(200, { id: 'o1', checkout: { qr: '000201B', md5: 'x' } });
    expect(await requestCheckout('/orders/o1/checkout', {}, order.fetchImpl)).toBe('000201B');
  });

  it.each([
    [409, { error: 'This order is paid.' }, 'This order is paid.'],
    [400, { error: { code: 'bad', message: 'No such order.' } }, 'No such order.'],
    [502, '<html>Bad gateway</html>', 'answered 502'],
    [200, { checkout: null }, 'has no qr'],
    [200, 'not json', 'has no qr'],
  ])('answer %i %j rejects with a message people can read', async (status, body, message) => {
    const { fetchImpl } = server(status, body);
    await expect(requestCheckout('/renew', {}, fetchImpl)).rejects.toThrow(message);
  });

  it('tells a refusal by its status, so callers retry only what may pass later', async () => {
    await expect(requestCheckout('/r', {}, server(409, {}).fetchImpl)).rejects.toMatchObject({
      status: 409,
    });
    await expect(requestCheckout('/r', {}, server(200, {}).fetchImpl)).rejects.not.toHaveProperty(
      'status',
    );
  });
});
