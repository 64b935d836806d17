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
  sandbox.quota.setPerMd5(false);
});

const check = async () => {
  const response = await fetch(`${sandbox.url}/v1/check_transaction_by_md5`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
    body: JSON.stringify({ md5: 'a'.repeat(32) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const checkList = async (count: number, url = sandbox.url) => {
  const md5s = Array.from({ length: count }, (_, i) => String(i).padStart(32, '0'));
  const response = await fetch(`${url}/v1/check_transaction_by_md5_list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
    body: JSON.stringify(md5s),
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

  it('counts an md5 list call once by default, however long the list', async () => {
    expect((await checkList(5)).body).toMatchObject({ responseCode: 0 });
    expect((await checkList(5)).body).toMatchObject({ responseCode: 0 });
    expect((await admin('GET')).body).toMatchObject({ perMd5: false, used: 2, refused: 0 });
  });

  it('counts each md5 of a list when perMd5, refusing whole a list that would go over the limit', async () => {
    sandbox.quota.setPerMd5(true);
    expect((await checkList(2)).body).toMatchObject({ responseCode: 0 });
    expect((await admin('GET')).body).toMatchObject({ perMd5: true, used: 2, refused: 0 });
    // 2 + 2 > 3: the whole call is refused with the real envelope, and counts as one refused call.
    expect(await checkList(2)).toEqual({
      status: 200,
      body: {
        responseCode: 1,
        responseMessage: 'Daily request limit of 100 exceeded. Please try again tomorrow.',
        errorCode: 17,
        data: null,
      },
    });
    expect((await admin('GET')).body).toMatchObject({ used: 3, refused: 1 });
    expect((await checkList(1)).body.errorCode).toBe(17);
    expect((await check()).body.errorCode).toBe(17);
    expect((await admin('GET')).body).toMatchObject({ used: 5, refused: 3 });
    // No md5 of a refused list was looked up: each was checked once, by the first call.
    const qrs = (await (await fetch(`${sandbox.url}/_sandbox/qrs`)).json()) as Array<{
      checks: number;
    }>;
    expect(qrs.map((q) => q.checks)).toEqual([1, 1]);
  });

  it('fits a list exactly up to the limit when perMd5', async () => {
    sandbox.quota.setPerMd5(true);
    expect((await checkList(3)).body).toMatchObject({ responseCode: 0 });
    expect((await admin('GET')).body).toMatchObject({ used: 3, refused: 0 });
    expect((await check()).body.errorCode).toBe(17);
  });

  it('counts per md5 through the admin API, and refuses a perMd5 that is not a boolean', async () => {
    expect((await admin('POST', { perMd5: true })).body).toMatchObject({
      dailyLimit: 3,
      perMd5: true,
    });
    await checkList(3);
    expect((await admin('GET')).body).toMatchObject({ used: 3 });
    expect((await admin('POST', { perMd5: false, dailyLimit: 10 })).body).toMatchObject({
      dailyLimit: 10,
      perMd5: false,
    });
    await checkList(3);
    expect((await admin('GET')).body).toMatchObject({ used: 4 });
    expect(await admin('POST', { perMd5: 'yes' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('"perMd5"') },
    });
    expect(await admin('POST', {})).toMatchObject({ status: 400 });
    expect((await admin('GET')).body).toMatchObject({ dailyLimit: 10, perMd5: false });
  });

  it('counts per md5 from the start with quotaCountsListItems', async () => {
    const other = await startSandbox({ port: 0, dailyLimit: 4, quotaCountsListItems: true });
    try {
      expect(other.quota.state()).toMatchObject({ perMd5: true, used: 0 });
      await checkList(4, other.url);
      expect(other.quota.state()).toMatchObject({ used: 4, refused: 0 });
      expect((await checkList(1, other.url)).body.errorCode).toBe(17);
    } finally {
      await other.close();
    }
  });
});
