import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEV_TOKEN } from '@khqr-checkout/sandbox';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** Runs the CLI as `pnpm sandbox` does; resolves with its output once `until` matches or it exits. */
function run(args: string[], until: RegExp): Promise<{ output: string; code: number | null }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@khqr-checkout/source',
      'packages/sandbox/src/cli.ts',
      ...args,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (until.test(output)) resolve({ output, code: null });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => resolve({ output, code }));
  });
}

describe('khqr-sandbox CLI', () => {
  it('prints its URL and the dev token, and answers on that URL', async () => {
    const { output } = await run(['--', '--port', '0'], /Dev token:\s+\S+/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(output).toContain(DEV_TOKEN);
    const response = await fetch(`${url}/v1/check_transaction_by_md5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
      body: JSON.stringify({ md5: 'a'.repeat(32) }),
    });
    expect(await response.json()).toMatchObject({ responseCode: 1, errorCode: 1 });
  });

  it('accepts only the tokens given with --token', async () => {
    const { output } = await run(['--port', '0', '--token', 'my-token'], /Tokens:/);
    const url = /listening on (\S+)/.exec(output)?.[1] as string;
    const check = (token: string) =>
      fetch(`${url}/v1/check_transaction_by_md5`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ md5: 'a'.repeat(32) }),
      }).then((r) => r.status);
    expect(await check('my-token')).toBe(200);
    expect(await check(DEV_TOKEN)).toBe(401);
  });

  it('sets the daily quota with --daily-limit and --quota-per-md5', async () => {
    const { output } = await run(
      ['--port', '0', '--daily-limit', '20', '--quota-per-md5'],
      /Dev token:\s+\S+/,
    );
    const url = /listening on (\S+)/.exec(output)?.[1] as string;
    expect(output).toContain('each md5 of a check_transaction_by_md5_list call counts');
    expect(await (await fetch(`${url}/_sandbox/quota`)).json()).toMatchObject({
      dailyLimit: 20,
      perMd5: true,
    });
  });

  it('explains a bad option and exits with 2', async () => {
    const { output, code } = await run(['--port', 'abc'], /$^/);
    expect(code).toBe(2);
    expect(output).toContain('--port must be 0–65535');
    expect(output).toContain('Usage: khqr-sandbox');
  });
});
