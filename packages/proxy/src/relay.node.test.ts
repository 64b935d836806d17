// Bakong through a relay: a real tinyproxy (Debian's) in front of the sandbox, configured like the
// README's VPS (Allow, ConnectPort, Filter with FilterDefaultDeny, BasicAuth), for the library and
// for the standalone proxy's HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBakongClient } from '@khqr-checkout/proxy';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';
import { spawnProxyCli } from '../../../test-utils/proxy-cli.ts';
import {
  captured,
  closeEmbeddedDatabase,
  embeddedDatabase,
  expectNoLeaks,
  freshSchema,
  MERCHANT,
  type ProxyUnderTest,
  request,
  startBank,
  startProxy,
} from '../test/harness.ts';
import { relayFromEnv } from './relay.ts';

const RELAY_USER = 'khqr-shop';
const RELAY_PASSWORD = 'relay-pa55word-9f3k';
const secrets = [DEV_TOKEN, RELAY_PASSWORD, `${RELAY_USER}:${RELAY_PASSWORD}`];
const work = mkdtempSync(join(tmpdir(), 'khqr-relay-'));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Whether something listens on 127.0.0.1:port. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface Relay {
  port: number;
  /** `http://[user:password@]127.0.0.1:port` */
  url: string;
  /** tinyproxy's log so far. */
  log(): string;
  /** The CONNECT requests tinyproxy logged, e.g. `127.0.0.1:4010`. */
  connects(): string[];
  stop(): Promise<void>;
}

/**
 * A tinyproxy of our own on a free port, not a daemon (`-d`), with a generated config: only
 * 127.0.0.1 may use it (`Allow`), CONNECT only to `connectPorts`, and only to the `host:port`s
 * matched by `filter` (`FilterURLs Yes` + `FilterDefaultDeny Yes`: a plain GET is refused too).
 * Fails, never skips, when tinyproxy is not installed.
 */
async function startTinyproxy(options: {
  filter: string[];
  connectPorts: number[];
  basicAuth?: boolean;
  /** Credentials in the returned URL (default: when BasicAuth is on). */
  credentials?: boolean;
}): Promise<Relay> {
  try {
    execFileSync('tinyproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'tinyproxy not found. The relay tests need it: run "sudo apt-get update && sudo apt-get install -y tinyproxy".',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'tinyproxy-'));
  writeFileSync(join(dir, 'filter'), `${options.filter.join('\n')}\n`);
  writeFileSync(
    join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      'LogLevel Connect',
      'MaxClients 50',
      'Allow 127.0.0.1',
      ...options.connectPorts.map((p) => `ConnectPort ${p}`),
      `Filter "${join(dir, 'filter')}"`,
      'FilterURLs Yes',
      'FilterType ere',
      'FilterDefaultDeny Yes',
      ...(options.basicAuth ? [`BasicAuth ${RELAY_USER} ${RELAY_PASSWORD}`] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 100 || child.exitCode !== null)
      throw new Error(`tinyproxy did not start on port ${port}:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const withCredentials = options.credentials ?? options.basicAuth ?? false;
  return {
    port,
    url: `http://${withCredentials ? `${RELAY_USER}:${RELAY_PASSWORD}@` : ''}127.0.0.1:${port}`,
    log: () => log,
    connects: () =>
      [...log.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) /g)].map(
        (m) => m[1] as string,
      ),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

let sandbox: Sandbox;
let sandboxHostPort: string;
let sandboxPort: number;
const relays: Relay[] = [];
const relay = async (options: Parameters<typeof startTinyproxy>[0]) => {
  const started = await startTinyproxy(options);
  relays.push(started);
  return started;
};
/** The sandbox's host:port only: what the README's filter line does for Bakong's host and 443. */
const sandboxFilter = () => [`^127\\.0\\.0\\.1:${sandboxPort}$`];

beforeAll(async () => {
  sandbox = await startBank();
  sandboxHostPort = new URL(sandbox.url).host;
  sandboxPort = Number(new URL(sandbox.url).port);
});
afterAll(async () => {
  expectNoLeaks(secrets);
  for (const r of relays) await r.stop();
  await closeEmbeddedDatabase();
  await sandbox?.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

const bakongCalls = () =>
  Object.values(sandbox.counters()).reduce((sum, c) => sum + (c?.requests ?? 0), 0);

describe('the library through a relay (bakong.relay)', () => {
  let proxy: ProxyUnderTest | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  const through = async (relayUrl: string, extra: { baseUrl?: string } = {}) => {
    proxy = await startProxy(sandbox, {
      database: await embeddedDatabase(),
      schema: freshSchema(),
      bakong: {
        token: DEV_TOKEN,
        baseUrl: extra.baseUrl ?? sandbox.url,
        timeoutMs: 3000,
        backoffMs: 20,
        relay: relayUrl,
      },
      notFoundCacheMs: 0,
    });
    return proxy;
  };

  it('confirms a payment through the relay (Basic auth), which logs the CONNECT; /health says reachable via the relay, never its password', async () => {
    const r = await relay({
      filter: sandboxFilter(),
      connectPorts: [sandboxPort],
      basicAuth: true,
    });
    const p = await through(r.url);
    const checkout = await p.proxy.createCheckout({
      amount: '4.50',
      currency: 'USD',
      orderId: 'r-1',
    });
    expect(await p.post('/check', { md5: checkout.md5 })).toMatchObject({
      status: 200,
      json: { status: 'pending' },
    });
    sandbox.pay({ qr: checkout.qr });
    expect(await p.post('/check', { md5: checkout.md5 })).toMatchObject({
      status: 200,
      json: { status: 'paid' },
    });
    expect(p.paid).toEqual([expect.objectContaining({ orderId: 'r-1', md5: checkout.md5 })]);
    // Every call went through tinyproxy's tunnel to the sandbox, which answered them.
    expect(r.connects().length).toBeGreaterThanOrEqual(1);
    expect(new Set(r.connects())).toEqual(new Set([sandboxHostPort]));
    expect(bakongCalls()).toBeGreaterThanOrEqual(2);
    const health = await p.get('/health');
    expect(health).toMatchObject({
      status: 200,
      json: {
        ok: true,
        upstream: {
          status: 'reachable',
          via: 'relay',
          relay: `127.0.0.1:${r.port}`,
          message: `Bakong answers through the relay 127.0.0.1:${r.port}.`,
        },
      },
    });
    expect(JSON.stringify(health.json)).not.toContain(RELAY_PASSWORD);
    expect(JSON.stringify(health.json)).not.toContain(RELAY_USER);
    // Without the relay the same calls cannot be made: it is the way, not a bystander.
    await r.stop();
    const again = await p.proxy.createCheckout({ amount: '1.00', currency: 'USD' });
    expect((await p.post('/check', { md5: again.md5 })).json).not.toMatchObject({
      status: 'paid',
    });
    expect(captured.logs.join('\n')).toContain('upstream-error:relay-unreachable');
  });

  it('tells a blocked Bakong (403 through the relay) apart from the relay refusing', async () => {
    const r = await relay({ filter: sandboxFilter(), connectPorts: [sandboxPort] });
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'forbidden' });
    const p = await through(r.url);
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: {
        ok: false,
        upstream: {
          status: 'blocked',
          via: 'relay',
          relay: `127.0.0.1:${r.port}`,
          message: expect.stringMatching(/403 through the relay .*runs in Cambodia/),
        },
      },
    });
    expect(r.connects()).toContain(sandboxHostPort);
  });

  it('names the filter when the relay refuses the CONNECT (403): /health 503 relay_refused; a check is never "failed"', async () => {
    // The README's production filter: Bakong's API host on 443 only. The sandbox is not it.
    const r = await relay({
      filter: ['^api-bakong\\.nbc\\.gov\\.kh:443$'],
      connectPorts: [443, sandboxPort],
    });
    const p = await through(r.url);
    const health = await p.get('/health');
    expect(health).toMatchObject({
      status: 503,
      json: {
        ok: false,
        upstream: {
          status: 'relay_refused',
          via: 'relay',
          relay: `127.0.0.1:${r.port}`,
          relayStatus: 403,
          message: expect.stringContaining('Filter'),
        },
      },
    });
    expect(r.log()).toContain(`Proxying refused on filtered url "${sandboxHostPort}"`);
    expect(bakongCalls()).toBe(0);
    const checkout = await p.proxy.createCheckout({ amount: '2.00', currency: 'USD' });
    sandbox.pay({ qr: checkout.qr });
    // The page keeps waiting, told confirmation comes later: never "failed".
    expect(await p.post('/check', { md5: checkout.md5 })).toMatchObject({
      status: 200,
      json: { status: 'pending', delayed: true },
    });
    expect(captured.logs.join('\n')).toContain('upstream-error:relay-refused:403');
  });

  it('says the relay wants credentials when it answers 407', async () => {
    const r = await relay({
      filter: sandboxFilter(),
      connectPorts: [sandboxPort],
      basicAuth: true,
      credentials: false,
    });
    const p = await through(r.url);
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: {
        upstream: {
          status: 'relay_refused',
          relayStatus: 407,
          message: expect.stringContaining('Proxy Authentication Required'),
        },
      },
    });
    expect(bakongCalls()).toBe(0);
  });

  it('says the password is wrong when the relay answers 401 (tinyproxy, a wrong BasicAuth password)', async () => {
    const r = await relay({
      filter: sandboxFilter(),
      connectPorts: [sandboxPort],
      basicAuth: true,
      credentials: false,
    });
    const p = await through(`http://${RELAY_USER}:not-the-password@127.0.0.1:${r.port}`);
    const health = await p.get('/health');
    expect(health).toMatchObject({
      status: 503,
      json: {
        upstream: {
          status: 'relay_refused',
          relayStatus: 401,
          message: expect.stringContaining('refused its user and password'),
        },
      },
    });
    expect(JSON.stringify(health.json)).not.toContain('not-the-password');
    expect(bakongCalls()).toBe(0);
  });

  it('says the relay could not reach Bakong when it answers 5xx (Bakong down behind it)', async () => {
    const closed = await freePort();
    const r = await relay({
      filter: [`^127\\.0\\.0\\.1:${closed}$`],
      connectPorts: [closed],
    });
    const p = await through(r.url, { baseUrl: `http://127.0.0.1:${closed}` });
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: {
        upstream: {
          status: 'relay_refused',
          relayStatus: 500,
          message: expect.stringContaining('could not open a connection to Bakong'),
        },
      },
    });
    expect(r.log()).toContain(`Could not establish a connection to 127.0.0.1:${closed}`);
  });

  it('says relay_unreachable when no relay listens there', async () => {
    const nobody = await freePort();
    const p = await through(`http://${RELAY_USER}:${RELAY_PASSWORD}@127.0.0.1:${nobody}`);
    const health = await p.get('/health');
    expect(health).toMatchObject({
      status: 503,
      json: {
        upstream: {
          status: 'relay_unreachable',
          via: 'relay',
          relay: `127.0.0.1:${nobody}`,
          message: expect.stringContaining('could not be connected to'),
        },
      },
    });
    expect(bakongCalls()).toBe(0);
  });

  it('goes direct when given a custom fetch (it wins over the relay), and reports via "fetch"', async () => {
    const nobody = await freePort();
    const client = createBakongClient({
      token: DEV_TOKEN,
      baseUrl: sandbox.url,
      relay: `http://127.0.0.1:${nobody}`,
      fetch: (input, init) => fetch(input, init),
    });
    expect(client.route).toEqual({ via: 'fetch' });
    expect(await client.probe()).toBe('reachable');
    await client.close?.();
  });

  it('refuses a relay that is not an http(s) forward proxy, without repeating its password', () => {
    for (const bad of [
      `socks5://${RELAY_USER}:${RELAY_PASSWORD}@127.0.0.1:1080`,
      `http://${RELAY_USER}:${RELAY_PASSWORD}@127.0.0.1:3128/path`,
      `http://${RELAY_USER}:${RELAY_PASSWORD}@[bad`,
    ]) {
      let message = '';
      try {
        createBakongClient({ token: DEV_TOKEN, baseUrl: sandbox.url, relay: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/relay/);
      expect(message).not.toContain(RELAY_PASSWORD);
    }
  });
});

describe('relayFromEnv: the standard variables, as the standalone proxy reads them', () => {
  const BAKONG = 'https://api-bakong.nbc.gov.kh';
  it('takes HTTPS_PROXY for an https base URL and HTTP_PROXY for an http one (lower case first)', () => {
    expect(relayFromEnv(BAKONG, { HTTPS_PROXY: 'http://a:1' })).toBe('http://a:1');
    expect(relayFromEnv(BAKONG, { https_proxy: 'http://b:2', HTTPS_PROXY: 'http://a:1' })).toBe(
      'http://b:2',
    );
    expect(relayFromEnv(BAKONG, { HTTP_PROXY: 'http://a:1' })).toBeUndefined();
    expect(relayFromEnv('http://127.0.0.1:4010', { HTTPS_PROXY: 'http://a:1' })).toBeUndefined();
    expect(relayFromEnv('http://127.0.0.1:4010', { HTTP_PROXY: 'http://c:3' })).toBe('http://c:3');
    expect(relayFromEnv(BAKONG, {})).toBeUndefined();
  });
  it('goes direct when NO_PROXY matches the host: exact, a parent domain, *, or with the port', () => {
    const env = { HTTPS_PROXY: 'http://relay:8888' };
    for (const noProxy of [
      'api-bakong.nbc.gov.kh',
      'localhost, .nbc.gov.kh',
      '*.gov.kh',
      'nbc.gov.kh',
      'kh',
      '*',
      'API-BAKONG.nbc.gov.kh:443',
    ])
      expect(relayFromEnv(BAKONG, { ...env, NO_PROXY: noProxy }), noProxy).toBeUndefined();
    for (const noProxy of [
      'sit-api-bakong.nbc.gov.kh',
      'api-bakong.nbc.gov.kh:8443',
      'gov',
      'bakong.nbc',
    ])
      expect(relayFromEnv(BAKONG, { ...env, no_proxy: noProxy }), noProxy).toBe(
        'http://relay:8888',
      );
    expect(
      relayFromEnv('http://[::1]:4010', { HTTP_PROXY: 'http://r:1', NO_PROXY: '::1' }),
    ).toBeUndefined();
    expect(
      relayFromEnv('http://[::1]:4010', { HTTP_PROXY: 'http://r:1', NO_PROXY: '[::1]:4010' }),
    ).toBeUndefined();
  });
});

describe('the standalone proxy (CLI) reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children) child.kill('SIGTERM');
    children.length = 0;
  });
  /** Starts the CLI; resolves with its URL and first output once it listens. */
  const cli = (env: Record<string, string>) =>
    new Promise<{ url: string; output: () => string }>((resolve, reject) => {
      const child = spawnProxyCli({
        KHQR_DATA_DIR: temporaryDataDir('relay-cli'),
        BAKONG_TOKEN: DEV_TOKEN,
        KHQR_MERCHANT_ACCOUNTS: MERCHANT,
        KHQR_CHECKOUT_SECRET: 's3cret-checkout-key',
        ...env,
      });
      children.push(child);
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk;
        const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
        if (url) resolve({ url, output: () => output });
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`khqr-proxy exited ${code}:\n${output}`)));
    });
  /** A checkout made through the CLI, paid in the sandbox, checked until paid. */
  const payThrough = async (url: string) => {
    const created = await request(`${url}/checkouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret-checkout-key' },
      body: JSON.stringify({ amount: 100, currency: 'KHR' }),
    });
    expect(created.status).toBe(201);
    sandbox.pay({ qr: created.json?.qr as string });
    for (let i = 0; i < 50; i++) {
      const check = await request(`${url}/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ md5: created.json?.md5 }),
      });
      if (check.json?.status === 'paid') return 'paid';
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return 'not paid';
  };

  it('HTTP_PROXY for the http sandbox: tinyproxy sees a CONNECT to it (tunnelled for http too), and the payment is confirmed', async () => {
    const r = await relay({
      filter: sandboxFilter(),
      connectPorts: [sandboxPort],
      basicAuth: true,
    });
    const { url, output } = await cli({ BAKONG_BASE_URL: sandbox.url, HTTP_PROXY: r.url });
    expect(output()).toContain(`Bakong through the relay 127.0.0.1:${r.port}`);
    expect(await payThrough(url)).toBe('paid');
    expect(r.connects()).toContain(sandboxHostPort);
    expect(r.log()).not.toMatch(/Request \(file descriptor \d+\): (GET|POST) /);
    expect((await request(`${url}/health`)).json).toMatchObject({
      ok: true,
      upstream: { status: 'reachable', via: 'relay', relay: `127.0.0.1:${r.port}` },
    });
    expect(output()).not.toContain(RELAY_PASSWORD);
  });

  it('NO_PROXY matching the host: direct, tinyproxy sees nothing', async () => {
    const r = await relay({ filter: sandboxFilter(), connectPorts: [sandboxPort] });
    const { url, output } = await cli({
      BAKONG_BASE_URL: sandbox.url,
      HTTP_PROXY: r.url,
      NO_PROXY: 'localhost,127.0.0.1',
    });
    expect(output()).toContain('Bakong directly');
    expect(await payThrough(url)).toBe('paid');
    expect((await request(`${url}/health`)).json).toMatchObject({
      ok: true,
      upstream: { status: 'reachable', via: 'direct' },
    });
    expect(r.connects()).toEqual([]);
    expect(bakongCalls()).toBeGreaterThanOrEqual(1);
  });

  describe('HTTPS_PROXY for an https base URL', () => {
    let front: HttpsServer;
    let frontPort: number;
    let caFile: string;
    beforeAll(async () => {
      // "Bakong" over TLS on loopback: a self-signed certificate the CLI trusts through
      // NODE_EXTRA_CA_CERTS, in front of the sandbox.
      const dir = mkdtempSync(join(work, 'tls-'));
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
      } catch {
        throw new Error(
          'openssl not found. This test makes a certificate with it: run "sudo apt-get install -y openssl".',
        );
      }
      caFile = join(dir, 'cert.pem');
      front = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) },
        (req, res) => {
          const upstream = httpRequest(
            `${sandbox.url}${req.url}`,
            { method: req.method, headers: { ...req.headers, host: sandboxHostPort } },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.destroy());
          req.pipe(upstream);
        },
      );
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      frontPort = (front.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => front.close(() => resolve())));

    it('tunnels with CONNECT: the relay carries only ciphertext, never the token or a request', async () => {
      const r = await relay({
        filter: [`^127\\.0\\.0\\.1:${frontPort}$`],
        connectPorts: [frontPort],
        basicAuth: true,
      });
      // Every byte between the shop's proxy and the relay, as someone on the relay would see it.
      const wire: Buffer[] = [];
      const sockets = new Set<Socket>();
      const tap: Server = createServer((socket) => {
        const upstream = connect(r.port, '127.0.0.1');
        sockets.add(socket).add(upstream);
        socket.on('data', (chunk: Buffer) => wire.push(chunk));
        upstream.on('data', (chunk: Buffer) => wire.push(chunk));
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
      const tapPort = (tap.address() as { port: number }).port;
      try {
        const { url, output } = await cli({
          BAKONG_BASE_URL: `https://127.0.0.1:${frontPort}`,
          HTTPS_PROXY: `http://${RELAY_USER}:${RELAY_PASSWORD}@127.0.0.1:${tapPort}`,
          HTTP_PROXY: 'http://127.0.0.1:1', // not for an https base URL
          NODE_EXTRA_CA_CERTS: caFile,
        });
        expect(output()).toContain(`Bakong through the relay 127.0.0.1:${tapPort}`);
        expect(await payThrough(url)).toBe('paid');
        expect((await request(`${url}/health`)).json).toMatchObject({
          ok: true,
          upstream: { status: 'reachable', via: 'relay', relay: `127.0.0.1:${tapPort}` },
        });
        expect(r.connects()).toContain(`127.0.0.1:${frontPort}`);
        const seen = Buffer.concat(wire).toString('latin1');
        expect(seen).toContain(`CONNECT 127.0.0.1:${frontPort} HTTP/1.1`);
        expect(seen.length).toBeGreaterThan(2000);
        for (const secret of [
          DEV_TOKEN,
          'Bearer',
          'check_transaction_by_md5',
          'POST /v1',
          'application/json',
        ])
          expect(seen.includes(secret), secret).toBe(false);
        expect(output()).not.toContain(RELAY_PASSWORD);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => tap.close(() => resolve()));
      }
    });
  });
});
