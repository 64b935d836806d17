import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaidEvent } from './events.ts';
import {
  KhqrWebhookError,
  type KhqrWebhookErrorCode,
  signKhqrWebhook,
  verifyKhqrWebhook,
  webhookDelivery,
} from './webhook.ts';

const SECRET = 'whsec_test_5f1c0b8e2a';
const T = 1_767_225_600; // 2026-01-01T00:00:00Z
const atSec = (sec: number) => () => sec * 1000;

const EVENT: PaidEvent = {
  id: 'evt_0b7c9f2e',
  type: 'khqr.paid',
  md5: 'd60f3db96913029a2af979a1662c1e72',
  checkoutId: 'chk_41',
  orderId: 'A-1001',
  amountMinor: 1250,
  currency: 'USD',
  toAccountId: 'shop@aclb',
  transactionHash: '8a3f0e9c',
  paidAt: T * 1000 - 2000,
  late: false,
  settledAt: T * 1000 - 1000,
};
const BODY = JSON.stringify(EVENT);

/** The code a verification fails with, or 'ok'. */
async function outcome(
  header: string | null | undefined,
  rawBody: string,
  options: Parameters<typeof verifyKhqrWebhook>[3] = { now: atSec(T) },
  secret = SECRET,
): Promise<KhqrWebhookErrorCode | 'ok'> {
  try {
    await verifyKhqrWebhook(secret, header, rawBody, options);
    return 'ok';
  } catch (error) {
    if (!(error instanceof KhqrWebhookError)) throw error;
    expect(error.message).not.toContain(secret);
    return error.code;
  }
}

describe('signKhqrWebhook / verifyKhqrWebhook', () => {
  it('round trip: sign, then verify returns the event', async () => {
    const header = await signKhqrWebhook(SECRET, BODY, T);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    await expect(verifyKhqrWebhook(SECRET, header, BODY, { now: atSec(T) })).resolves.toEqual(
      EVENT,
    );
  });

  it('the signature is HMAC-SHA256(secret, "<t>.<body>") in lowercase hex (node:crypto agrees)', async () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(await signKhqrWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    // Non-ASCII bodies are signed as UTF-8 bytes.
    const khmer = JSON.stringify({ ...EVENT, orderId: 'ហាង-១' });
    const khmerMac = createHmac('sha256', SECRET).update(`${T}.${khmer}`, 'utf8').digest('hex');
    expect(await signKhqrWebhook(SECRET, khmer, T)).toBe(`t=${T},v1=${khmerMac}`);
  });

  it('defaults the timestamp to now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const header = await signKhqrWebhook(SECRET, BODY);
    const t = Number(/^t=(\d+),/.exec(header)?.[1]);
    expect(t).toBeGreaterThanOrEqual(before);
    await expect(verifyKhqrWebhook(SECRET, header, BODY)).resolves.toEqual(EVENT);
  });

  it('rejects a tampered body and a wrong secret as bad_signature', async () => {
    const header = await signKhqrWebhook(SECRET, BODY, T);
    const cheaper = BODY.replace('"amountMinor":1250', '"amountMinor":1');
    expect(cheaper).not.toBe(BODY);
    expect(await outcome(header, cheaper)).toBe('bad_signature');
    expect(await outcome(header, BODY, { now: atSec(T) }, 'whsec_other')).toBe('bad_signature');
    const forged = await signKhqrWebhook('whsec_other', BODY, T);
    expect(await outcome(forged, BODY)).toBe('bad_signature');
  });

  it('rejects re-serialized JSON (whitespace changed), and says to use the raw body', async () => {
    const header = await signKhqrWebhook(SECRET, BODY, T);
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(JSON.parse(pretty)).toEqual(EVENT);
    const error = await verifyKhqrWebhook(SECRET, header, pretty, { now: atSec(T) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KhqrWebhookError);
    expect((error as KhqrWebhookError).code).toBe('bad_signature');
    expect((error as KhqrWebhookError).message).toMatch(/raw request body.*not re-serialized JSON/);
    // A parsed object instead of the raw string is refused with the same advice.
    const parsed = await verifyKhqrWebhook(
      SECRET,
      header,
      JSON.parse(BODY) as unknown as string,
    ).catch((e: unknown) => e);
    expect((parsed as KhqrWebhookError).code).toBe('invalid_body');
    expect((parsed as KhqrWebhookError).message).toMatch(/raw request body/);
  });

  it('accepts a timestamp within the tolerance either way, rejects one beyond it', async () => {
    const header = await signKhqrWebhook(SECRET, BODY, T);
    expect(await outcome(header, BODY, { now: atSec(T + 300) })).toBe('ok');
    expect(await outcome(header, BODY, { now: atSec(T - 300) })).toBe('ok');
    expect(await outcome(header, BODY, { now: atSec(T + 301) })).toBe('timestamp_out_of_tolerance');
    // Signed in the future, as seen from this clock.
    expect(await outcome(header, BODY, { now: atSec(T - 301) })).toBe('timestamp_out_of_tolerance');
    expect(await outcome(header, BODY, { now: atSec(T + 3600), toleranceSec: 3600 })).toBe('ok');
    expect(await outcome(header, BODY, { now: atSec(T + 61), toleranceSec: 60 })).toBe(
      'timestamp_out_of_tolerance',
    );
  });

  it('rejects a replay of a captured delivery older than the tolerance', async () => {
    let clock = T * 1000;
    const captured: { header: string; body: string }[] = [];
    const deliver = webhookDelivery({
      url: 'https://shop.example/khqr-paid',
      secret: SECRET,
      now: () => clock,
      fetch: async (_url, init) => {
        const headers = new Headers(init?.headers);
        captured.push({
          header: headers.get('x-khqr-signature') ?? '',
          body: String(init?.body),
        });
        return new Response(null, { status: 204 });
      },
    });
    await deliver(EVENT);
    const [delivery] = captured;
    if (!delivery) throw new Error('nothing was delivered');
    expect(await outcome(delivery.header, delivery.body, { now: () => clock + 10_000 })).toBe('ok');
    // The attacker replays the same bytes six minutes later.
    expect(await outcome(delivery.header, delivery.body, { now: () => clock + 360_000 })).toBe(
      'timestamp_out_of_tolerance',
    );
    // A genuine retry is signed afresh, so it verifies at that time.
    clock += 360_000;
    await deliver(EVENT);
    const retry = captured[1];
    expect(retry?.header).not.toBe(delivery.header);
    expect(retry?.body).toBe(delivery.body);
    expect(await outcome(retry?.header, retry?.body ?? '', { now: () => clock })).toBe('ok');
  });

  it('rejects a missing header', async () => {
    for (const header of [null, undefined, '', '   '])
      expect(await outcome(header, BODY)).toBe('missing_header');
  });

  it('rejects malformed headers', async () => {
    const mac = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    for (const header of [
      'garbage',
      `v1=${mac}`, // no t
      `t=${T}`, // no v1
      `t=${T},v0=${mac}`, // only an unknown scheme
      `t=abc,v1=${mac}`,
      `t=-5,v1=${mac}`,
      `t=1.5e9,v1=${mac}`,
      `t=${T},t=${T},v1=${mac}`,
      `t=99999999999999999999,v1=${mac}`,
      `t=${T},v1=${mac},${'x'.repeat(9000)}`,
    ])
      expect(await outcome(header, BODY), header.slice(0, 80)).toBe('malformed_header');
    // Node's IncomingHttpHeaders type allows an array.
    expect(await outcome([`t=${T}`, `v1=${mac}`] as unknown as string, BODY)).toBe(
      'malformed_header',
    );
    const old = createHmac('sha256', SECRET).update(BODY).digest('hex');
    const error = await verifyKhqrWebhook(SECRET, `sha256=${old}`, BODY).catch((e: unknown) => e);
    expect((error as KhqrWebhookError).code).toBe('malformed_header');
    expect((error as KhqrWebhookError).message).toMatch(/old "sha256=<hex>" form/);
  });

  it('accepts several v1 entries (secret rotation) when one is valid, and ignores unknown schemes', async () => {
    const good = (await signKhqrWebhook(SECRET, BODY, T)).split(',v1=')[1] ?? '';
    const old = (await signKhqrWebhook('whsec_retired', BODY, T)).split(',v1=')[1] ?? '';
    expect(await outcome(`t=${T},v1=${old},v1=${good}`, BODY)).toBe('ok');
    expect(await outcome(`t=${T},v1=${good},v1=${old}`, BODY)).toBe('ok');
    expect(await outcome(`v1=${old}, t=${T}, v0=zz, v2=${old}, v1=${good}`, BODY)).toBe('ok');
    expect(await outcome(`t=${T},v1=${good.toUpperCase()}`, BODY)).toBe('ok');
    expect(await outcome(`t=${T},v1=${old},v1=${old}`, BODY)).toBe('bad_signature');
    expect(await outcome(`t=${T},v1=${good.slice(0, 63)}`, BODY)).toBe('bad_signature');
    // The same secret rotated on the receiver side: either secret verifies its own signature.
    expect(await outcome(`t=${T},v1=${old},v1=${good}`, BODY, undefined, 'whsec_retired')).toBe(
      'ok',
    );
  });

  it('rejects a signed body that is not a khqr.paid event as invalid_body', async () => {
    for (const body of [
      'not json',
      'null',
      '[]',
      '"khqr.paid"',
      JSON.stringify({ ...EVENT, type: 'khqr.refunded' }),
      JSON.stringify({ ...EVENT, id: 42 }),
      JSON.stringify({ type: 'khqr.paid' }),
    ]) {
      const header = await signKhqrWebhook(SECRET, body, T);
      expect(await outcome(header, body), body).toBe('invalid_body');
    }
  });

  it('throws at once on misuse', async () => {
    await expect(signKhqrWebhook('', BODY, T)).rejects.toThrow(TypeError);
    await expect(signKhqrWebhook(SECRET, BODY, 1.5)).rejects.toThrow(RangeError);
    await expect(verifyKhqrWebhook('', 't=1,v1=00', BODY)).rejects.toThrow(/non-empty string/);
    for (const toleranceSec of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      await expect(verifyKhqrWebhook(SECRET, 't=1,v1=00', BODY, { toleranceSec })).rejects.toThrow(
        RangeError,
      );
    expect(() => webhookDelivery({ url: 'ftp://shop.example/x', secret: SECRET })).toThrow(
      /http: or https:/,
    );
    expect(() => webhookDelivery({ url: '/relative', secret: SECRET })).toThrow(TypeError);
    expect(() => webhookDelivery({ url: 'https://shop.example', secret: '' })).toThrow(TypeError);
    expect(() =>
      webhookDelivery({ url: 'https://shop.example', secret: SECRET, timeoutMs: 0 }),
    ).toThrow(RangeError);
  });
});

interface Received {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real receiver on 127.0.0.1, on a free port; `answer` decides each response. */
async function receiver(answer: (request: Received, response: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method,
      path: req.url,
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
    };
    received.push(request);
    answer(request, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

/** The delivery's rejection, checked to carry neither the secret nor the body. */
async function failure(delivery: Promise<void>): Promise<string> {
  const error = await delivery.then(
    () => {
      throw new Error('the delivery resolved');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const { message } = error as Error;
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain(BODY);
  expect(message).not.toContain(EVENT.md5);
  expect(message).not.toContain(EVENT.transactionHash);
  return message;
}

describe('webhookDelivery against a real node:http receiver', () => {
  it('delivers a signed event the receiver verifies on the raw body, with the same id each time', async () => {
    const verified: PaidEvent[] = [];
    const server = await receiver((request, response) => {
      verifyKhqrWebhook(SECRET, request.headers['x-khqr-signature'] as string, request.rawBody)
        .then((event) => {
          verified.push(event);
          response.writeHead(204).end();
        })
        .catch((error: KhqrWebhookError) => response.writeHead(400).end(error.code));
    });
    const deliver = webhookDelivery({ url: `${server.url}/khqr-paid`, secret: SECRET });
    await deliver(EVENT);
    await deliver(EVENT);

    expect(verified).toEqual([EVENT, EVENT]);
    expect(server.received).toHaveLength(2);
    for (const request of server.received) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/khqr-paid');
      expect(request.rawBody).toBe(BODY);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe('khqr-checkout-proxy');
      expect(request.headers['x-khqr-event-id']).toBe(EVENT.id);
      expect(request.headers['x-khqr-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
  });

  it('a receiver with another secret answers 400, and the delivery rejects naming the status', async () => {
    const server = await receiver((request, response) => {
      verifyKhqrWebhook(
        'whsec_other',
        request.headers['x-khqr-signature'] as string,
        request.rawBody,
      )
        .then(() => response.writeHead(204).end())
        .catch((error: KhqrWebhookError) => response.writeHead(400).end(error.code));
    });
    const message = await failure(webhookDelivery({ url: server.url, secret: SECRET })(EVENT));
    expect(message).toMatch(/answered 400/);
  });

  it('rejects on a 500 answer, naming the status', async () => {
    const server = await receiver((_request, response) =>
      response.writeHead(500).end('database is down'),
    );
    const message = await failure(webhookDelivery({ url: server.url, secret: SECRET })(EVENT));
    expect(message).toMatch(/answered 500/);
    expect(server.received).toHaveLength(1);
  });

  it('rejects on a 302 and does not follow it', async () => {
    const server = await receiver((request, response) => {
      if (request.path === '/moved') response.writeHead(204).end();
      else response.writeHead(302, { location: '/moved' }).end();
    });
    const message = await failure(
      webhookDelivery({ url: `${server.url}/khqr-paid`, secret: SECRET })(EVENT),
    );
    expect(message).toMatch(/answered 302.*redirects are not followed/);
    expect(server.received.map((r) => r.path)).toEqual(['/khqr-paid']);
  });

  it('rejects when the receiver hangs past timeoutMs', async () => {
    const server = await receiver(() => {
      // Never answers.
    });
    const message = await failure(
      webhookDelivery({ url: server.url, secret: SECRET, timeoutMs: 200 })(EVENT),
    );
    expect(message).toMatch(/timed out.*200 ms/);
    expect(server.received).toHaveLength(1);
  });

  it('rejects when nothing listens, naming the cause', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const message = await failure(
      webhookDelivery({ url: `http://127.0.0.1:${port}/x`, secret: SECRET })(EVENT),
    );
    expect(message).toMatch(/failed: ECONNREFUSED/);
  });

  it('asks fetch not to follow redirects, and treats an opaque redirect as a failure', async () => {
    let redirect: RequestRedirect | undefined;
    const deliver = webhookDelivery({
      url: 'https://shop.example/khqr-paid?token=merchant-secret',
      secret: SECRET,
      fetch: async (_url, init) => {
        redirect = init?.redirect;
        return { status: 0, type: 'opaqueredirect', body: null } as Response;
      },
    });
    const message = await failure(deliver(EVENT));
    expect(redirect).toBe('manual');
    expect(message).toMatch(/a redirect/);
    expect(message).toContain('https://shop.example');
    expect(message).not.toContain('merchant-secret');
  });
});

// The receivers merchants copy from the README are the ones these tests run.
const WEBHOOK_MD = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The body of the only fenced block of `lang` in the README. */
function codeBlock(lang: string): string {
  const blocks = [
    ...WEBHOOK_MD.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm')),
  ];
  expect(blocks, `one \`\`\`${lang} block`).toHaveLength(1);
  return blocks[0]?.[1] ?? '';
}

describe('the README webhook receivers', () => {
  it("its test vector is this module's signature", async () => {
    const vector = /secret `([^`]+)`, `t=(\d+)`, body\s+`([^`]+)`\s+→ `v1=([0-9a-f]{64})`/.exec(
      WEBHOOK_MD,
    );
    expect(vector).not.toBeNull();
    const [, secret = '', t = '', body = '', v1 = ''] = vector ?? [];
    expect(await signKhqrWebhook(secret, body, Number(t))).toBe(`t=${t},v1=${v1}`);
    expect(WEBHOOK_MD).toContain(`X-Khqr-Signature: t=${t},v1=${v1}`);
  });

  describe('the Python receiver', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'khqr-webhook-py-'));
      writeFileSync(join(dir, 'khqr_paid.py'), codeBlock('python'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Calls the snippet's `verify(secret, header, raw_body, tolerance=300, now=None)`. */
    function pythonVerify(args: {
      secret: string;
      header: string | null;
      body: string;
      now?: number;
    }): { ok: true; id: string } | { ok: false; error: string } {
      const harness = [
        'import json, sys',
        'from khqr_paid import verify',
        'args = json.load(sys.stdin)',
        'try:',
        '    extra = {"now": args["now"]} if "now" in args else {}',
        '    event = verify(args["secret"], args["header"], args["body"].encode("utf-8"), **extra)',
        '    print(json.dumps({"ok": True, "id": event["id"]}))',
        'except ValueError as error:',
        '    print(json.dumps({"ok": False, "error": str(error)}))',
      ].join('\n');
      return JSON.parse(
        execFileSync('python3', ['-c', harness], {
          cwd: dir,
          input: JSON.stringify(args),
          encoding: 'utf8',
        }),
      );
    }

    it('accepts our signature, rejects a tampered body, a wrong secret, a stale timestamp and re-serialized JSON', async () => {
      const header = await signKhqrWebhook(SECRET, BODY, T);
      expect(pythonVerify({ secret: SECRET, header, body: BODY, now: T + 10 })).toEqual({
        ok: true,
        id: EVENT.id,
      });
      // With its own clock.
      const fresh = await signKhqrWebhook(SECRET, BODY);
      expect(pythonVerify({ secret: SECRET, header: fresh, body: BODY })).toEqual({
        ok: true,
        id: EVENT.id,
      });
      const rejected = [
        { secret: SECRET, header, body: BODY.replace('1250', '1'), now: T },
        { secret: 'whsec_other', header, body: BODY, now: T },
        { secret: SECRET, header, body: BODY, now: T + 301 },
        { secret: SECRET, header, body: JSON.stringify(EVENT, null, 2), now: T },
        { secret: SECRET, header: null, body: BODY, now: T },
        { secret: SECRET, header: `sha256=${'0'.repeat(64)}`, body: BODY, now: T },
      ].map(pythonVerify);
      expect(rejected.map((r) => r.ok)).toEqual([false, false, false, false, false, false]);
      expect(rejected.map((r) => (r.ok ? '' : r.error.split(':')[0]))).toEqual([
        'bad signature',
        'bad signature',
        'timestamp outside the tolerance',
        'bad signature',
        'missing X-Khqr-Signature header',
        'malformed X-Khqr-Signature header',
      ]);
    });

    it('accepts a rotation header and a non-ASCII body signed by us', async () => {
      const body = JSON.stringify({ ...EVENT, orderId: 'ហាង-១' });
      const good = (await signKhqrWebhook(SECRET, body, T)).split(',v1=')[1];
      const old = (await signKhqrWebhook('whsec_retired', body, T)).split(',v1=')[1];
      expect(
        pythonVerify({ secret: SECRET, header: `t=${T},v1=${old},v0=x,v1=${good}`, body, now: T }),
      ).toEqual({ ok: true, id: EVENT.id });
    });

    it('runs as a server: verifies webhookDelivery, records one row for two deliveries of one event, refuses a wrong secret', async () => {
      const database = join(dir, 'shop.db');
      let child: ChildProcess | undefined;
      try {
        child = spawn('python3', [join(dir, 'khqr_paid.py')], {
          cwd: dir,
          env: { ...process.env, KHQR_CHECKOUT_SECRET: SECRET, KHQR_DB: database, PORT: '0' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const started = child;
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          started.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /listening on (http:\/\/\S+)/.exec(out);
            if (match?.[1]) resolve(match[1]);
          });
          started.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
        });

        const deliver = webhookDelivery({ url: `${url}/khqr-paid`, secret: SECRET });
        await deliver(EVENT);
        await deliver(EVENT);
        const message = await failure(
          webhookDelivery({ url: `${url}/khqr-paid`, secret: 'whsec_other' })(EVENT),
        );
        expect(message).toMatch(/answered 400/);

        const rows = execFileSync(
          'python3',
          [
            '-c',
            'import json, sqlite3, sys; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("SELECT event_id, order_id, amount_minor, currency FROM khqr_payments").fetchall()))',
            database,
          ],
          { encoding: 'utf8' },
        );
        expect(JSON.parse(rows)).toEqual([[EVENT.id, EVENT.orderId, EVENT.amountMinor, 'USD']]);
      } finally {
        if (child && child.exitCode === null) {
          const exited = new Promise((resolve) => child?.once('exit', resolve));
          child.kill();
          await exited;
        }
      }
    });
  });

  describe('the PHP receiver', () => {
    let dir = '';
    /** Why `php` cannot run the snippet, if it cannot; each test then fails (never skips) with it. */
    let phpProblem: string | undefined;
    beforeAll(() => {
      const probe = spawnSync('php', ['-r', 'echo PHP_VERSION_ID, " ", PHP_VERSION;'], {
        encoding: 'utf8',
      });
      const install =
        'Install the PHP CLI (8.0+): on Debian/Ubuntu `sudo apt-get install --no-install-recommends php-cli` (.ci/run does this), on macOS `brew install php`.';
      const [id = '0', version] = probe.stdout?.split(' ') ?? [];
      if (probe.error || probe.status !== 0)
        phpProblem = `The README's PHP webhook receiver is tested with \`php\`, which ${probe.error ? `could not be run (${probe.error.message})` : `failed: ${probe.stderr}`}. ${install}`;
      else if (Number(id) < 80000)
        phpProblem = `The README's PHP webhook receiver needs PHP 8.0+; \`php\` is ${version}. ${install}`;

      dir = mkdtempSync(join(tmpdir(), 'khqr-webhook-php-'));
      const receiver = codeBlock('php');
      writeFileSync(join(dir, 'khqr-paid.php'), receiver);
      // khqr_verify alone, without the request handling that follows it.
      const verify = /^function khqr_verify\([\s\S]*?^\}$/m.exec(receiver)?.[0];
      expect(verify, 'function khqr_verify(…) { … } in the ```php block').toBeDefined();
      writeFileSync(join(dir, 'khqr-verify.php'), `<?php\n${verify}\n`);
      writeFileSync(
        join(dir, 'harness.php'),
        [
          '<?php',
          "require __DIR__ . '/khqr-verify.php';",
          '$args = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);',
          'try {',
          "    $event = khqr_verify($args['secret'], $args['header'], $args['body']);",
          "    echo json_encode(['ok' => true, 'event' => $event], JSON_THROW_ON_ERROR);",
          '} catch (UnexpectedValueException $e) {',
          "    echo json_encode(['ok' => false, 'error' => $e->getMessage()], JSON_THROW_ON_ERROR);",
          '}',
        ].join('\n'),
      );
      // The merchant's function the snippet calls: here it logs each event it is given.
      writeFileSync(
        join(dir, 'mark-order-paid.php'),
        [
          '<?php',
          'function mark_order_paid(array $event): void',
          '{',
          '    file_put_contents(getenv(\'KHQR_TEST_PAID_LOG\'), json_encode($event) . "\\n", FILE_APPEND | LOCK_EX);',
          '}',
        ].join('\n'),
      );
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function requirePhp() {
      if (phpProblem) throw new Error(phpProblem);
    }

    /** Every notice, warning and deprecation, shown on stderr, where the test sees them. */
    const STRICT = ['-d', 'error_reporting=-1', '-d', 'display_errors=stderr'];

    /** Calls the snippet's `khqr_verify($secret, $header, $rawBody)`, on PHP's own clock. */
    function phpVerify(args: {
      secret: string;
      header: string | null;
      body: string;
    }): { ok: true; event: unknown } | { ok: false; error: string } {
      const run = spawnSync('php', [...STRICT, join(dir, 'harness.php')], {
        input: JSON.stringify(args),
        encoding: 'utf8',
      });
      expect(run.stderr, 'php wrote to stderr').toBe('');
      expect(run.status, run.stdout).toBe(0);
      return JSON.parse(run.stdout);
    }

    const nowSec = () => Math.floor(Date.now() / 1000);
    const v1 = async (secret: string, body: string, t: number) =>
      (await signKhqrWebhook(secret, body, t)).split(',v1=')[1] ?? '';

    it('accepts our signature, rejects a tampered body, a wrong secret, a stale timestamp, a missing header and re-serialized JSON', async () => {
      requirePhp();
      const now = nowSec();
      const header = await signKhqrWebhook(SECRET, BODY, now);
      expect(phpVerify({ secret: SECRET, header, body: BODY })).toEqual({ ok: true, event: EVENT });
      // Within the tolerance, either way.
      for (const t of [now - 200, now + 200])
        expect(
          phpVerify({ secret: SECRET, header: await signKhqrWebhook(SECRET, BODY, t), body: BODY }),
        ).toEqual({ ok: true, event: EVENT });

      const rejected = [
        { secret: SECRET, header, body: BODY.replace('"amountMinor":1250', '"amountMinor":1') },
        { secret: 'whsec_other', header, body: BODY },
        { secret: SECRET, header: await signKhqrWebhook('whsec_other', BODY, now), body: BODY },
        { secret: SECRET, header: await signKhqrWebhook(SECRET, BODY, now - 301), body: BODY },
        { secret: SECRET, header: await signKhqrWebhook(SECRET, BODY, now + 400), body: BODY },
        { secret: SECRET, header: null, body: BODY },
        { secret: SECRET, header: '', body: BODY },
        { secret: SECRET, header: '   ', body: BODY },
        { secret: SECRET, header, body: JSON.stringify(EVENT, null, 2) },
        { secret: SECRET, header: `sha256=${'0'.repeat(64)}`, body: BODY },
        { secret: SECRET, header: `t=${now}`, body: BODY },
        { secret: SECRET, header: `t=abc,v1=${await v1(SECRET, BODY, now)}`, body: BODY },
      ].map(phpVerify);
      expect(rejected.map((r) => (r.ok ? 'accepted' : r.error.split(':')[0]))).toEqual([
        'bad signature',
        'bad signature',
        'bad signature',
        'timestamp outside the tolerance',
        'timestamp outside the tolerance',
        'missing X-Khqr-Signature header',
        'missing X-Khqr-Signature header',
        'missing X-Khqr-Signature header',
        'bad signature',
        'malformed X-Khqr-Signature header',
        'malformed X-Khqr-Signature header',
        'malformed X-Khqr-Signature header',
      ]);
      const { error } = rejected[8] as { error: string };
      expect(error).toMatch(/raw body \(php:\/\/input\), not re-encoded JSON/);
    });

    it('accepts a rotation header (two v1 entries) and a non-ASCII body signed by us', async () => {
      requirePhp();
      const now = nowSec();
      const body = JSON.stringify({ ...EVENT, orderId: 'ហាង-១' });
      const good = await v1(SECRET, body, now);
      const old = await v1('whsec_retired', body, now);
      for (const header of [
        `t=${now},v1=${old},v1=${good}`,
        `t=${now},v1=${good},v1=${old}`,
        `v1=${old}, t=${now}, v0=zz, v1=${good}`,
      ])
        expect(phpVerify({ secret: SECRET, header, body }), header).toEqual({
          ok: true,
          event: { ...EVENT, orderId: 'ហាង-១' },
        });
      expect(phpVerify({ secret: SECRET, header: `t=${now},v1=${old},v1=${old}`, body })).toEqual({
        ok: false,
        error: expect.stringMatching(/^bad signature:/),
      });
    });

    it("runs under PHP's built-in server: 204 for webhookDelivery twice, mark_order_paid given the event each time, 400 for a wrong secret", async () => {
      requirePhp();
      const paidLog = join(dir, 'paid.jsonl');
      const free = createServer();
      await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
      const { port } = free.address() as AddressInfo;
      await new Promise((resolve) => free.close(resolve));

      let child: ChildProcess | undefined;
      let log = '';
      try {
        child = spawn(
          'php',
          [
            ...['-d', 'error_reporting=-1', '-d', 'display_errors=0', '-d', 'log_errors=1'],
            // Defines mark_order_paid before the snippet runs. PHP ignores auto_prepend_file for a
            // router script, so the server serves the directory and the snippet is requested as
            // /khqr-paid.php, the way Apache or nginx with PHP-FPM would run it.
            ...['-d', `auto_prepend_file=${join(dir, 'mark-order-paid.php')}`],
            ...['-S', `127.0.0.1:${port}`, '-t', dir],
          ],
          {
            cwd: dir,
            env: { ...process.env, KHQR_CHECKOUT_SECRET: SECRET, KHQR_TEST_PAID_LOG: paidLog },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        const started = child;
        await new Promise<void>((resolve, reject) => {
          const read = (chunk: Buffer) => {
            log += chunk.toString();
            if (/Development Server \(http:\/\/127\.0\.0\.1:\d+\) started/.test(log)) resolve();
          };
          started.stdout?.on('data', read);
          started.stderr?.on('data', read);
          started.once('exit', (code) => reject(new Error(`php -S exited with ${code}: ${log}`)));
        });
        const url = `http://127.0.0.1:${port}/khqr-paid.php`;

        const statuses: number[] = [];
        const deliver = webhookDelivery({
          url,
          secret: SECRET,
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            statuses.push(response.status);
            return response;
          },
        });
        const withLog = (error: Error) => {
          throw new Error(`${error.message}\nphp -S said:\n${log}`);
        };
        await deliver(EVENT).catch(withLog);
        await deliver(EVENT).catch(withLog);
        expect(statuses).toEqual([204, 204]);

        const message = await failure(webhookDelivery({ url, secret: 'whsec_other' })(EVENT));
        expect(message).toMatch(/answered 400/);
        const unsigned = await fetch(url, { method: 'POST', body: BODY });
        expect(unsigned.status).toBe(400);
        expect(await unsigned.text()).toBe('missing X-Khqr-Signature header');
        expect((await fetch(url)).status).toBe(405);

        const paid = readFileSync(paidLog, 'utf8').trim().split('\n');
        expect(paid.map((line) => JSON.parse(line))).toEqual([EVENT, EVENT]);
        expect(log).not.toMatch(/PHP (Fatal|Parse|Warning|Notice|Deprecated)/);
      } finally {
        if (child && child.exitCode === null) {
          const exited = new Promise((resolve) => child?.once('exit', resolve));
          child.kill();
          await exited;
        }
      }
    });
  });
});
