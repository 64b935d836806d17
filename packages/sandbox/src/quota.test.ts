// The sandbox's model of the token's daily quota (errorCode 17), as integrators meet it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_TOKEN, type Sandbox, startSandbox } from './index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, dailyLimit: 3 });
});
afterAll(() => sandbox?.close());
beforeEach(() => {
  sandbox.reset();
  sandbox.quota.setLimit(3);
});

const check = async () => {
  const response = await fetch(`${sandbox.url}/v1/check_transaction_by_md5`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
    body: JSON.stringify({ md5: 'a'.repeat(32) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const admin = async (method: 'GET' | 'POST', body?: unknown) => {
  const response = await fetch(`${sandbox.url}/_sandbox/quota`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the daily quota', () => {
  it('answers the real errorCode 17 envelope past the limit, counting refused calls too', async () => {
    for (let i = 0; i < 3; i++) expect((await check()).body.errorCode).toBe(1);
    expect(await check()).toEqual({
      status: 200,
      body: {
        responseCode: 1,
        responseMessage: 'Daily request limit of 100 exceeded. Please try again tomorrow.',
        errorCode: 17,
        data: null,
      },
    });
    await check();
    expect((await admin('GET')).body).toMatchObject({ dailyLimit: 3, used: 5, refused: 2 });
  });

  it('starts again at midnight in Phnom Penh (17:00 UTC) on the sandbox clock', async () => {
    sandbox.clock.set(Date.UTC(2026, 10, 28, 16, 59, 0));
    for (let i = 0; i < 4; i++) await check();
    expect((await check()).body.errorCode).toBe(17);
    const { resetsAt } = (await admin('GET')).body;
    expect(resetsAt).toBe(Date.UTC(2026, 10, 28, 17, 0, 0));
    sandbox.clock.set(Date.UTC(2026, 10, 28, 17, 0, 1));
    expect((await check()).body.errorCode).toBe(1);
    expect((await admin('GET')).body).toMatchObject({ used: 1, refused: 0 });
  });

  it('is set through the admin API, and refuses a limit that is not a whole number', async () => {
    expect((await admin('POST', { dailyLimit: 0 })).body).toMatchObject({ dailyLimit: 0 });
    expect((await check()).body.errorCode).toBe(17);
    expect((await admin('POST', { dailyLimit: null })).body).toMatchObject({ dailyLimit: null });
    expect((await check()).body.errorCode).toBe(1);
    expect(await admin('POST', { dailyLimit: 1.5 })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('whole number') },
    });
  });
});
