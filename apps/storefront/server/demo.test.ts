// `pnpm demo` side by side: ports that give way or fail clearly, and one demo per data directory,
// with the lock of a killed demo taken over. The demos run as `pnpm demo` runs them, in a process
// of their own (main.ts), on ports the system picks: other test runs share this machine.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbedded } from '@khqr-checkout/proxy';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { choosePort, listenOn, StartupError } from './ports.ts';
import { startStorefront } from './storefront.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'khqr-demo-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A port something else listens on, for as long as the test runs. */
const blockers: Server[] = [];
async function busyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  blockers.push(server);
  return (server.address() as { port: number }).port;
}

interface Demo {
  child: ChildProcess;
  /** Standard output and error so far. */
  output(): string;
  /** The exit code, once it has exited. */
  exited: Promise<number | null>;
  url: string;
  bankAppUrl: string;
}

const demos: ChildProcess[] = [];
afterEach(async () => {
  for (const server of blockers.splice(0)) server.close();
  for (const child of demos.splice(0))
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
});

/**
 * Runs `pnpm demo` (main.ts, in one Node process so its pid is the lock's) with `env` over a
 * clean environment; resolves when it prints its banner, or exits. PORT and SANDBOX_PORT are 0
 * unless `env` says otherwise.
 */
function startDemo(env: Record<string, string>): Promise<Demo> {
  const clean = { ...process.env };
  for (const name of ['BAKONG_TOKEN', 'BAKONG_BASE_URL', 'KHQR_DATA_DIR', 'PORT', 'SANDBOX_PORT'])
    delete clean[name];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@khqr-checkout/source', MAIN],
    { cwd: ROOT, env: { ...clean, PORT: '0', SANDBOX_PORT: '0', ...env }, stdio: 'pipe' },
  );
  demos.push(child);
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${text}`)), 45_000);
    const done = (demo: Partial<Demo>) => {
      clearTimeout(timer);
      resolve({ child, output: () => text, exited, url: '', bankAppUrl: '', ...demo });
    };
    const read = (chunk: Buffer) => {
      text += chunk;
      const url = /Phsar Khmer demo shop +(\S+)/.exec(text)?.[1];
      const bankAppUrl = /Sandbox bank app +(\S+)/.exec(text)?.[1];
      if (url && bankAppUrl) done({ url, bankAppUrl });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => done({}));
  });
}

/** Buys a krama in a shop as a new customer: the order, and the customer's cookie. */
async function buy(url: string, cookie?: string) {
  const response = await fetch(`${url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ items: [{ id: 'krama', qty: 1 }], currency: 'KHR' }),
  });
  expect(response.status).toBe(201);
  const order = (await response.json()) as { id: string; md5: string; status: string };
  return { order, cookie: cookie ?? (response.headers.get('set-cookie')?.split(';')[0] as string) };
}

const lockOf = (dir: string) => readFileSync(join(dir, 'khqr.lock'), 'utf8').split(' ')[0];
const inUse = (dir: string, pid: number | undefined) =>
  `The data directory ${dir} is in use by another demo (pid ${pid}). Set KHQR_DATA_DIR to another directory, or stop it.`;

describe('the ports of pnpm demo', () => {
  it('moves from a busy default port to a free one, says so, and links the real ports', async () => {
    const [shopDefault, sandboxDefault] = [await busyPort(), await busyPort()];
    const shop = await startStorefront({
      defaultPort: shopDefault,
      defaultSandboxPort: sandboxDefault,
      dataDir: null,
      env: {},
    });
    try {
      const shopPort = Number(new URL(shop.url).port);
      const sandboxPort = Number(new URL(shop.bankAppUrl as string).port);
      expect(shopPort).not.toBe(shopDefault);
      expect(sandboxPort).not.toBe(sandboxDefault);
      expect(shop.notices).toEqual([
        `Port ${sandboxDefault} is in use: the sandbox is on ${sandboxPort} instead.`,
        `Port ${shopDefault} is in use: the shop is on ${shopPort} instead.`,
      ]);
      // The page links the bank app where it is, and the proxy checks payments there.
      const config = (await (await fetch(`${shop.url}/api/config`)).json()) as Record<
        string,
        unknown
      >;
      expect(config.bankAppUrl).toBe(`http://127.0.0.1:${sandboxPort}/bank/`);
      const { order } = await buy(shop.url);
      shop.sandbox?.pay({ md5: order.md5 });
      const check = await fetch(`${shop.url}/api/khqr/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: shop.url },
        body: JSON.stringify({ md5: order.md5 }),
      });
      expect(((await check.json()) as { status: string }).status).toBe('paid');
    } finally {
      await shop.close();
    }
  }, 60_000);

  it('refuses a busy PORT, naming the port and the variable', async () => {
    const port = await busyPort();
    const dir = dataDir();
    const demo = await startDemo({ PORT: String(port), KHQR_DATA_DIR: dir });
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toContain(
      `Port ${port} is in use, and PORT asks for it (the shop). Set PORT to another port (0 picks a free one), or stop what is using it.`,
    );
    expect(demo.output()).not.toContain('demo shop');
    expect(existsSync(join(dir, 'khqr.lock'))).toBe(false);
  }, 60_000);

  it('refuses a busy SANDBOX_PORT and leaves its data directory unlocked', async () => {
    const port = await busyPort();
    const dir = dataDir();
    const failed = startStorefront({ dataDir: dir, env: { SANDBOX_PORT: String(port) } });
    await expect(failed).rejects.toThrow(StartupError);
    await expect(failed).rejects.toThrow(
      `Port ${port} is in use, and SANDBOX_PORT asks for it (the sandbox). Set SANDBOX_PORT to another port (0 picks a free one), or stop what is using it.`,
    );
    expect(existsSync(join(dir, 'khqr.lock'))).toBe(false);
  }, 60_000);

  it('tries the next ten ports up from a busy default, then any free port', async () => {
    const tried: number[] = [];
    const busy = Object.assign(new Error('busy'), { code: 'EADDRINUSE' });
    const listen = async (port: number) => {
      tried.push(port);
      if (port !== 0) throw busy;
      return 'listening';
    };
    expect(await listenOn({ port: 7000, setBy: null }, 'the shop', listen)).toEqual({
      value: 'listening',
      busy: 7000,
    });
    expect(tried).toEqual([7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009, 7010, 0]);
    // A port that needs root is said as such, not as a stack trace.
    const denied = async () => {
      throw Object.assign(new Error('denied'), { code: 'EACCES' });
    };
    await expect(listenOn({ port: 80, setBy: 'PORT' }, 'the shop', denied)).rejects.toThrow(
      'Port 80 needs privileges this user lacks (the shop). Set PORT to a port above 1023.',
    );
  });

  it('says what is wrong with a port that is not a number', () => {
    expect(() => choosePort(['port', undefined], 'PORT', { PORT: '51 73' }, 5173)).toThrow(
      'PORT must be a port number from 0 to 65535 (0 picks a free one), not "51 73".',
    );
    expect(() => choosePort(['port', undefined], 'PORT', { PORT: '70000' }, 5173)).toThrow(
      StartupError,
    );
    expect(choosePort(['port', undefined], 'PORT', { PORT: ' ' }, 5173)).toEqual({
      port: 5173,
      setBy: null,
    });
    expect(choosePort(['port', 0], 'PORT', { PORT: '8080' }, 5173)).toEqual({
      port: 0,
      setBy: 'the port option',
    });
  });
});

describe('one demo per data directory', () => {
  it('runs two demos side by side on two data directories, each its own shop', async () => {
    const [one, two] = await Promise.all([
      startDemo({ KHQR_DATA_DIR: dataDir() }),
      startDemo({ KHQR_DATA_DIR: dataDir() }),
    ]);
    expect(one.url, one.output()).not.toBe('');
    expect(two.url, two.output()).not.toBe('');
    expect(new Set([one.url, two.url, one.bankAppUrl, two.bankAppUrl]).size).toBe(4);
    for (const demo of [one, two]) {
      const page = await fetch(demo.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect((await fetch(demo.bankAppUrl)).status).toBe(200);
    }
    // Paid in the first demo's sandbox: the first shop's order is paid, the second's is not.
    const first = await buy(one.url);
    const second = await buy(two.url);
    const sandbox = new URL(one.bankAppUrl).origin;
    const paid = await fetch(`${sandbox}/_sandbox/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ md5: first.order.md5 }),
    });
    expect(paid.status).toBe(200);
    const status = async (url: string, { order, cookie }: Awaited<ReturnType<typeof buy>>) => {
      await fetch(`${url}/api/khqr/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ md5: order.md5 }),
      });
      const seen = await fetch(`${url}/api/orders/${order.id}`, { headers: { cookie } });
      return ((await seen.json()) as { status: string }).status;
    };
    expect(await status(one.url, first)).toBe('paid');
    expect(await status(two.url, second)).toBe('awaiting-payment');
  }, 90_000);

  it('refuses a second demo on a data directory in use, at once, naming the first', async () => {
    const dir = dataDir();
    const first = await startDemo({ KHQR_DATA_DIR: dir });
    expect(first.url, first.output()).not.toBe('');
    const second = await startDemo({ KHQR_DATA_DIR: dir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(inUse(dir, first.child.pid));
    expect(second.output()).not.toContain('demo shop');
    // The first runs on, its lock its own.
    expect(lockOf(dir)).toBe(String(first.child.pid));
    await buy(first.url);
  }, 90_000);

  it('takes over the lock of a demo killed with SIGKILL, and keeps its orders', async () => {
    const dir = dataDir();
    const killed = await startDemo({ KHQR_DATA_DIR: dir });
    const { order, cookie } = await buy(killed.url);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(lockOf(dir)).toBe(String(killed.child.pid));

    const next = await startDemo({ KHQR_DATA_DIR: dir });
    expect(next.url, next.output()).not.toBe('');
    expect(lockOf(dir)).toBe(String(next.child.pid));
    const mine = await fetch(`${next.url}/api/orders`, { headers: { cookie } });
    expect(((await mine.json()) as Array<{ id: string }>).map((o) => o.id)).toEqual([order.id]);
  }, 90_000);

  it('lets one of two demos started at once take over a stale lock, and refuses the other', async () => {
    const dir = dataDir();
    // A lock whose process is gone: no process has pid 999999999 (Linux pids stop at 2^22).
    writeFileSync(join(dir, 'khqr.lock'), '999999999 1');
    const both = await Promise.all([
      startDemo({ KHQR_DATA_DIR: dir }),
      startDemo({ KHQR_DATA_DIR: dir }),
    ]);
    const running = both.filter((demo) => demo.url);
    const refused = both.filter((demo) => !demo.url);
    expect(running, both.map((demo) => demo.output()).join('\n')).toHaveLength(1);
    expect(await refused[0]?.exited).toBe(1);
    expect(refused[0]?.output()).toContain(inUse(dir, running[0]?.child.pid));
    expect(existsSync(join(dir, 'khqr.lock.takeover'))).toBe(false);
  }, 90_000);
});

describe('taking over a stale lock', () => {
  /** A live process's lock line: its pid and start time, as the lock writes them. */
  const liveLock = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  };

  it('never removes the lock another process made while it was taking over', async () => {
    const dir = dataDir();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    demos.push(sleeper);
    // Another process is taking over the stale lock (it holds the guard) ...
    writeFileSync(join(dir, 'khqr.lock'), '999999999 1');
    mkdirSync(join(dir, 'khqr.lock.takeover'));
    const opening = openEmbedded(dir);
    const outcome = opening.then(
      () => 'opened',
      (error: Error) => error.message,
    );
    // ... and has made its own lock when it lets go.
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(join(dir, 'khqr.lock'), liveLock(sleeper.pid as number));
    rmSync(join(dir, 'khqr.lock.takeover'), { recursive: true });
    expect(await outcome).toMatch(`in use by process ${sleeper.pid}`);
    expect(lockOf(dir)).toBe(String(sleeper.pid));
    await expect(opening).rejects.toMatchObject({ code: 'KHQR_DATA_DIR_IN_USE', pid: sleeper.pid });
  }, 30_000);

  it('clears a guard left by a process killed while taking over', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'khqr.lock'), '999999999 1');
    mkdirSync(join(dir, 'khqr.lock.takeover'));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'khqr.lock.takeover'), aMinuteAgo, aMinuteAgo);
    const db = await openEmbedded(dir);
    expect(lockOf(dir)).toBe(String(process.pid));
    expect(existsSync(join(dir, 'khqr.lock.takeover'))).toBe(false);
    await db.close();
  }, 30_000);
});
