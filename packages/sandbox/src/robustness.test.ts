import { connect } from 'node:net';
import type { Sandbox } from '@khqr-checkout/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());

/** Proof of health: a paid QR is still found after the abuse. */
async function stillWorks(): Promise<void> {
  const { qr, md5 } = dynamicQr(sandbox);
  sandbox.pay({ qr });
  expect((await call(sandbox, 'check_transaction_by_md5', { md5 })).json).toMatchObject({
    responseCode: 0,
  });
}

function raw(bytes: string): Promise<string> {
  const { port } = new URL(sandbox.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

describe('bad input never crashes the sandbox', () => {
  it('answers malformed JSON with 400 / errorCode 5', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        fc.pre(!/^\s*(\{|\[|"|-?\d|true|false|null)/.test(text));
        const answer = await call(sandbox, 'check_transaction_by_md5', null, { raw: text });
        expect(answer).toMatchObject({ status: 400, json: { errorCode: 5 } });
      }),
      { seed: 3, numRuns: 150 },
    );
    await stillWorks();
  });

  it('answers any JSON body with 200 or a 400 envelope, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'check_transaction_by_md5',
          'check_transaction_by_md5_list',
          'check_transaction_by_short_hash',
          'generate_deeplink_by_qr',
          'renew_token',
          'check_bakong_account',
        ),
        fc.jsonValue(),
        async (endpoint, body) => {
          const answer = await call(sandbox, endpoint, body);
          expect([200, 400]).toContain(answer.status);
          expect(answer.json).toMatchObject({ responseCode: expect.any(Number) });
        },
      ),
      { seed: 3, numRuns: 300 },
    );
    await stillWorks();
  });

  it('refuses bodies over the limit with 413, declared or streamed', async () => {
    const big = JSON.stringify({ md5: 'a'.repeat(20_000) });
    expect(await call(sandbox, 'check_transaction_by_md5', null, { raw: big })).toMatchObject({
      status: 413,
      json: { errorCode: 5 },
    });
    const chunked = await raw(
      `POST /v1/check_transaction_by_md5 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${(await import('@khqr-checkout/sandbox')).DEV_TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n${'4e20\r\n'}${'a'.repeat(20_000)}\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    await stillWorks();
  });

  it('answers wrong content types with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/jsonx',
    ]) {
      expect(
        (
          await call(sandbox, 'check_transaction_by_md5', null, {
            contentType: type,
            raw: '{"md5":"x"}',
          })
        ).status,
      ).toBe(415);
    }
    await stillWorks();
  });

  it('answers random paths and methods without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.webPath(),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        async (path, method) => {
          const response = await fetch(
            `${sandbox.url}${path.startsWith('/') ? path : `/${path}`}`,
            {
              method,
              redirect: 'manual',
              ...(method === 'GET' || method === 'HEAD'
                ? {}
                : { body: '{}', headers: { 'content-type': 'application/json' } }),
            },
          );
          await response.arrayBuffer();
          expect(response.status).toBeLessThan(500);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
    await stillWorks();
  });

  it('survives garbage on the socket', async () => {
    for (const garbage of [
      '\x00\x01\x02\r\n\r\n',
      'GET\r\n\r\n',
      'POST /v1/check_transaction_by_md5 HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
      'x'.repeat(70_000),
    ]) {
      const answer = await raw(garbage);
      expect(answer === '' || /^HTTP\/1\.1 4\d\d/.test(answer)).toBe(true);
    }
    await stillWorks();
  });
});
