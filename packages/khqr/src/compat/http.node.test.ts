import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR, SourceInfo } from '@khqr-checkout/khqr/compat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

type Reply = { status: number; body: string };
let server: Server;
let base = '';
let reply: Reply;
const requests: Array<{
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body: JSON.parse(raw) });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

const json = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) });
const qr = () =>
  generateKhqr({ bakongAccountId: 'shop@aclb', merchantName: 'Shop', amount: 100 }).qr;
const DEEPLINK = '/v1/generate_deeplink_by_qr';

describe('BakongKHQR.generateDeepLink', () => {
  it('posts the QR and the source info, and returns the short link', async () => {
    reply = json({
      responseCode: 0,
      responseMessage: 'ok',
      errorCode: null,
      data: { shortLink: 'https://bakong.page.link/x' },
    });
    const source = new SourceInfo(
      'https://shop.example/icon.png',
      'Shop',
      'https://shop.example/back',
    );
    const result = await BakongKHQR.generateDeepLink(base + DEEPLINK, qr(), source);
    expect(result).toEqual({
      status: { code: 0, errorCode: null, message: null },
      data: { shortLink: 'https://bakong.page.link/x' },
    });
    expect(requests[0]?.url).toBe(DEEPLINK);
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    expect(requests[0]?.body).toEqual({ qr: expect.any(String), sourceInfo: { ...source } });
  });

  it.each<[string, () => Promise<unknown>, number]>([
    ['a wrong path', () => BakongKHQR.generateDeepLink(`${base}/v1/other`, qr()), 29],
    ['a non-URL', () => BakongKHQR.generateDeepLink('not a url', qr()), 29],
    ['an invalid QR', () => BakongKHQR.generateDeepLink(base + DEEPLINK, 'nope'), 8],
    [
      'incomplete source info',
      () => BakongKHQR.generateDeepLink(base + DEEPLINK, qr(), new SourceInfo('x')),
      14,
    ],
  ])('refuses %s without a request', async (_, call, code) => {
    expect(await call()).toMatchObject({ status: { code: 1, errorCode: code }, data: null });
    expect(requests).toHaveLength(0);
  });

  it.each<[string, Reply, number]>([
    [
      'errorCode 5 (an envelope, not a TypeError)',
      json({ responseCode: 1, errorCode: 5, data: null }),
      14,
    ],
    ['errorCode 4', json({ responseCode: 1, errorCode: 4, data: null }), 15],
    ['HTTP 500', json({}, 500), 13],
    ['a 403 HTML page', { status: 403, body: '<html>403 Forbidden</html>' }, 13],
    ['a 200 that is not JSON', { status: 200, body: 'oops' }, 13],
  ])('maps %s to a failure envelope', async (_, r, code) => {
    reply = r;
    expect(await BakongKHQR.generateDeepLink(base + DEEPLINK, qr())).toMatchObject({
      status: { code: 1, errorCode: code },
      data: null,
    });
  });

  it('reports an unreachable host as code 13', async () => {
    expect(await BakongKHQR.generateDeepLink(`http://127.0.0.1:1${DEEPLINK}`, qr())).toMatchObject({
      status: { errorCode: 13 },
    });
  });
});

describe('BakongKHQR.checkBakongAccount', () => {
  const url = () => `${base}/v1/check_bakong_account`;
  it.each<[string, Reply, object]>([
    [
      'an existing account',
      json({ responseCode: 0, errorCode: null, data: null }),
      { data: { bakongAccountExisted: true } },
    ],
    [
      'errorCode 11',
      json({ responseCode: 1, errorCode: 11, data: null }),
      { data: { bakongAccountExisted: false } },
    ],
    [
      'errorCode 12 (the official SDK says 13)',
      json({ responseCode: 1, errorCode: 12, data: null }),
      { status: { errorCode: 3 } },
    ],
    [
      'errorCode 6 (the official SDK says "does not exist")',
      json({ responseCode: 1, errorCode: 6, data: null }, 401),
      { status: { errorCode: 13 } },
    ],
    [
      'errorCode 6 on a 200',
      json({ responseCode: 1, errorCode: 6, data: null }),
      { status: { errorCode: 110 } },
    ],
  ])('answers %s', async (_, r, expected) => {
    reply = r;
    expect(await BakongKHQR.checkBakongAccount(url(), 'sok@aclb')).toMatchObject(expected);
    expect(requests[0]?.body).toEqual({ accountId: 'sok@aclb' });
  });

  it('validates the ID before any request', async () => {
    expect(await BakongKHQR.checkBakongAccount(url(), 'a@b@c')).toMatchObject({
      status: { errorCode: 3 },
    });
    expect(await BakongKHQR.checkBakongAccount(url(), `${'a'.repeat(30)}@bb`)).toMatchObject({
      status: { errorCode: 6 },
    });
    expect(requests).toHaveLength(0);
  });
});
