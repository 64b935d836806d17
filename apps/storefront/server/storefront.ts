import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve as absolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromMinorUnits, type KhqrCurrency, khqrMd5, toMinorUnits } from '@khqr-checkout/khqr';
import {
  type CreatedCheckout,
  createKhqrProxy,
  MemoryStore,
  openEmbedded,
  type PaidEvent,
} from '@khqr-checkout/proxy';
import { nodeHandler } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, type Sandbox, startSandbox } from '@khqr-checkout/sandbox';
import { createServer as createVite, defaultClientConditions } from 'vite';
import { buildDropIn } from '../../../packages/element/drop-in.build.ts';
import { DONATIONS, PRODUCTS, total } from './catalogue.ts';
import { type Order, OrderBook, publicOrder } from './orders.ts';
import { choosePort, listenOn, StartupError } from './ports.ts';

/** The customer's cookie: a random token; the order book keeps only its hash. */
const CUSTOMER_COOKIE = 'phsar_customer';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function customerOf(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === CUSTOMER_COOKIE && value && TOKEN.test(value)) return value;
  }
  return null;
}

const ownerKey = (token: string) => createHash('sha256').update(token).digest('hex');

/** Options of {@link startStorefront}; the environment fills what is not given. */
export interface StorefrontOptions {
  /**
   * The shop's port, taken or a {@link StartupError}; 0 picks a free one.
   * @default PORT, else 5173 or, when 5173 is in use, a free port
   */
  port?: number;
  /** The port tried first when neither `port` nor PORT is given. @default 5173 */
  defaultPort?: number;
  host?: string;
  /**
   * The embedded sandbox's port when no real Bakong is configured, taken or a
   * {@link StartupError}; 0 picks a free one.
   * @default SANDBOX_PORT, else 4010 or, when 4010 is in use, a free port
   */
  sandboxPort?: number;
  /** The sandbox port tried first when neither `sandboxPort` nor SANDBOX_PORT is given. @default 4010 */
  defaultSandboxPort?: number;
  /**
   * The data directory: one embedded database holds the proxy's ledger and the shop's orders. One
   * shop at a time: a second one started on it is a {@link StartupError} naming the first.
   * @default KHQR_DATA_DIR, else apps/storefront/data; null uses a temporary one, removed on close
   */
  dataDir?: string | null;
  /** The sandbox/proxy grace after expiry, ms. @default 30000 */
  graceMs?: number;
  /** Lifetime of server-created QRs, seconds. @default 300 */
  checkoutTtl?: number;
  env?: NodeJS.ProcessEnv;
}

const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = '@khqr-checkout/source';

const json = (res: ServerResponse, status: number, body: unknown) => {
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    })
    .end(JSON.stringify(body));
};

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 8192) throw new Error('too large');
  }
  const parsed = JSON.parse(text || '{}') as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

/**
 * The demo shop: the sandbox (unless BAKONG_TOKEN/BAKONG_BASE_URL point at real Bakong), the proxy
 * mounted at /api/khqr, the shop's own API, the React app through Vite, and a plain HTML page with
 * the drop-in script.
 */
export async function startStorefront(options: StorefrontOptions = {}) {
  const env = options.env ?? process.env;
  const merchantAccount = (env.KHQR_MERCHANT_ACCOUNTS ?? 'phsar_khmer@devb')
    .split(',')[0]
    ?.trim() as string;
  const temporary = options.dataDir === null;
  const dataDir =
    options.dataDir ??
    (temporary
      ? mkdtempSync(join(tmpdir(), 'khqr-shop-'))
      : (env.KHQR_DATA_DIR ?? join(APP_ROOT, 'data')));
  const real = Boolean(env.BAKONG_TOKEN && env.BAKONG_BASE_URL);
  // Both read before anything starts: a mistyped variable is said at once.
  const shopPort = choosePort(['port', options.port], 'PORT', env, options.defaultPort ?? 5173);
  const sandboxPort = real
    ? null
    : choosePort(
        ['sandboxPort', options.sandboxPort],
        'SANDBOX_PORT',
        env,
        options.defaultSandboxPort ?? 4010,
      );
  mkdirSync(dataDir, { recursive: true });
  // One embedded database for the proxy's ledger and the shop's orders, opened first: its lock
  // (dataDir/khqr.lock, taken over when its process has died) keeps a second shop on this
  // directory from starting anything, the sandbox and its payments file included.
  const database = await openEmbedded(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    if (error?.code !== 'KHQR_DATA_DIR_IN_USE') throw error;
    const { pid } = error as unknown as { pid: number };
    throw new StartupError(
      `The data directory ${absolute(dataDir)} is in use by another demo (pid ${pid}${pid === process.pid ? ', this process' : ''}). Set KHQR_DATA_DIR to another directory, or stop it.`,
    );
  });
  // What is started from here on, stopped last first on close, or when a later step fails: a
  // shop that cannot start leaves nothing running and its data directory unlocked.
  const started: Array<() => unknown> = [() => database.close()];
  let closeServer: (() => Promise<void>) | null = null;
  const stopAll = async () => {
    // The shop's server first, so no request meets a closed proxy.
    await closeServer?.();
    closeServer = null;
    for (const stop of started.splice(0).reverse()) await stop();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  const undo = async (error: unknown): Promise<never> => {
    await stopAll().catch(() => undefined);
    throw error;
  };
  const notices: string[] = [];
  // The embedded sandbox keeps its payments in the data directory too, as Bakong keeps its own:
  // a shop killed mid-checkout and started again finds the payment made meanwhile.
  let sandbox: Sandbox | null = null;
  if (sandboxPort) {
    const { value, busy } = await listenOn(sandboxPort, 'the sandbox', (port) =>
      startSandbox({ port, persist: join(dataDir, 'sandbox.json') }),
    ).catch(undo);
    sandbox = value;
    started.push(() => value.close());
    if (busy !== null)
      notices.push(`Port ${busy} is in use: the sandbox is on ${new URL(value.url).port} instead.`);
  }
  // The shop's port is taken before the slower work below (Vite, the drop-in build), so a port
  // that cannot be had is said at once. Until the shop is ready it answers 503.
  let ready: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (ready) ready(req, res);
    else json(res, 503, { error: 'The shop is starting.' });
  });
  const listened = await listenOn(
    shopPort,
    'the shop',
    (port) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
  ).catch(undo);
  closeServer = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  if (listened.busy !== null)
    notices.push(`Port ${listened.busy} is in use: the shop is on ${address.port} instead.`);
  const orders = await OrderBook.open(database).catch(undo);

  // Fulfilment happens here, on the server, once the proxy has verified and recorded the payment.
  // It may run more than once for one payment (at least once): markPaid is idempotent, and a
  // failed write throws, so the proxy delivers the event again later.
  const fulfil = async (event: PaidEvent) => {
    if (!event.orderId) return; // a QR bound to no order: nothing to fulfil
    if (event.orderId.startsWith('DONATION-')) {
      await orders.create({
        id: event.orderId,
        kind: 'donation',
        items: [],
        currency: event.currency,
        totalMinor: event.amountMinor,
      });
    }
    const result = await orders.markPaid(event);
    if (result === 'amount-mismatch' || result === 'unknown-order')
      console.error('[storefront] a paid event does not match its order', {
        orderId: event.orderId,
        result,
      });
  };
  // A setting the proxy refuses (KHQR_ALLOWED_ORIGINS="*") stops what started above, too.
  let proxy: ReturnType<typeof createKhqrProxy>;
  try {
    proxy = createKhqrProxy({
      // The shop's own pages, on whatever port the demo runs (the proxy trusts no Origin by
      // itself), and any origins in KHQR_ALLOWED_ORIGINS (a tunnel or a host name in front).
      allowedOrigins: [
        'http://127.0.0.1:*',
        'http://localhost:*',
        ...(env.KHQR_ALLOWED_ORIGINS ?? '')
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      ],
      bakong: {
        token: real ? (env.BAKONG_TOKEN as string) : DEV_TOKEN,
        baseUrl: real ? (env.BAKONG_BASE_URL as string) : (sandbox as Sandbox).url,
      },
      merchant: { accounts: [merchantAccount], name: 'Phsar Khmer', city: 'Phnom Penh' },
      basePath: '/api/khqr',
      graceMs: options.graceMs ?? 30_000,
      // A test that watches a QR expire asks for a lifetime under the proxy's usual minute.
      minTtlSeconds: Math.min(60, options.checkoutTtl ?? 60),
      onPaid: fulfil,
      database,
      // A QR made in the browser names its order in the bill number, which the page writes: the
      // order, its amount and its currency come from the order book, and the proxy refuses a QR
      // for any other amount. The plain page's donation QR binds to the fixed donation.
      validate: async (qr, decoded) => {
        const bill = decoded.billNumber ?? '';
        const donation = DONATIONS[bill];
        let bound: { orderId: string; amount: string; currency: KhqrCurrency } | string;
        if (donation) {
          bound = {
            orderId: `DONATION-${khqrMd5(qr).slice(0, 16)}`,
            amount: fromMinorUnits(donation.amountMinor, donation.currency),
            currency: donation.currency,
          };
        } else {
          const order = bill ? await orders.get(bill) : undefined;
          // One answer for every refusal: a stranger learns nothing of an order they can name
          // (whether it exists, is paid, or what it costs).
          const refused = 'No open order has this bill number at this amount.';
          if (
            order?.kind !== 'order' ||
            order.status === 'paid' ||
            decoded.currency !== order.currency ||
            toMinorUnits(decoded.amount ?? '0', decoded.currency) !== order.totalMinor
          )
            return refused;
          bound = {
            orderId: order.id,
            amount: fromMinorUnits(order.totalMinor, order.currency),
            currency: order.currency,
          };
        }
        // In sandbox mode, every QR the shop shows is "seen" by the sandbox's bank app, as if the
        // customer's phone had scanned the screen, so it can be paid from the bank-app page.
        sandbox?.see(qr);
        return bound;
      },
      logger: {
        info() {},
        warn: (m, f) => console.warn('[proxy]', m, f ?? ''),
        error: (m, f) => console.error('[proxy]', m, f ?? ''),
      },
    });
  } catch (error) {
    return undo(error);
  }
  started.push(() => proxy.close());
  const proxyHandler = nodeHandler(proxy);

  // The drop-in file for the plain page, built once from source.
  const dropIn = await buildDropIn().catch(undo);

  /**
   * The order's checkout: its open one (a reload shows the QR the customer may have paid), or a
   * new one when it has none, when that one has expired, or when the card asks to replace it
   * (`replace`: the md5 of a QR it shows as failed or expired).
   */
  async function checkoutFor(order: Order, replace?: string): Promise<void> {
    const open = order.checkout;
    // Replaced only when it can no longer be paid: past its expiry, or failed or expired as the
    // proxy (not the page) says. A live QR is never swapped out under a paying customer.
    if (open && open.expiresAt > Date.now()) {
      if (open.md5 !== replace) return;
      const { status } = await proxy.check(open.md5);
      if (status !== 'failed' && status !== 'expired') return;
    }
    const checkout: CreatedCheckout = await proxy.createCheckout({
      amount: fromMinorUnits(order.totalMinor, order.currency),
      currency: order.currency,
      orderId: order.id,
      billNumber: order.id,
      ttl: options.checkoutTtl ?? 300,
    });
    sandbox?.see(checkout.qr);
    await orders.setCheckout(order.id, checkout);
  }

  // Order creation is limited per client address: anyone can create orders, not unlimited ones.
  const limits = new MemoryStore();
  const ORDERS_PER_MINUTE = Number(env.SHOP_ORDERS_PER_MINUTE ?? 20);
  const ORDERS_PER_DAY = 500;

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/api/products' && req.method === 'GET') return json(res, 200, PRODUCTS);
    if (path === '/api/config' && req.method === 'GET') {
      return json(res, 200, {
        merchantAccount,
        merchantName: 'Phsar Khmer',
        bankAppUrl: sandbox?.bankAppUrl ?? null,
        sandbox: Boolean(sandbox),
      });
    }
    if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return json(res, 415, { error: 'Send JSON (Content-Type: application/json).' });
    // Who is asking: the customer's cookie, set when they create their first order. A customer
    // sees only their own orders; another's order is answered as missing.
    const customer = customerOf(req);
    const owner = customer ? ownerKey(customer) : null;
    if (path === '/api/orders' && req.method === 'GET')
      return json(res, 200, owner ? (await orders.listOwned(owner)).map(publicOrder) : []);
    if (path === '/api/orders' && req.method === 'POST') {
      const who = req.socket.remoteAddress ?? 'unknown';
      const minute = await limits.hit(`orders:${who}`, 60_000);
      const day = await limits.hit(`orders-day:${who}`, 86_400_000);
      if (minute.count > ORDERS_PER_MINUTE || day.count > ORDERS_PER_DAY) {
        res.setHeader(
          'retry-after',
          String(Math.ceil((minute.count > ORDERS_PER_MINUTE ? minute : day).resetMs / 1000)),
        );
        return json(res, 429, { error: 'Too many new orders from here; try again in a minute.' });
      }
      const b = await body(req).catch(() => null);
      const currency = b?.currency === 'USD' ? 'USD' : b?.currency === 'KHR' ? 'KHR' : null;
      if (!b || !currency)
        return json(res, 400, { error: 'Send {items, currency: "KHR" | "USD"}.' });
      const items = b.items as Array<{ id: string; qty: number }>;
      const sum = total(items, currency as KhqrCurrency);
      if (typeof sum === 'string') return json(res, 400, { error: sum });
      const token = customer ?? randomBytes(32).toString('base64url');
      if (!customer)
        res.setHeader(
          'set-cookie',
          `${CUSTOMER_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${30 * 86_400}`,
        );
      // Only what the order needs is kept, whatever else the client sent.
      const order = await orders.create({
        items: items.map(({ id, qty }) => ({ id, qty })),
        currency,
        totalMinor: sum,
        owner: ownerKey(token),
      });
      await checkoutFor(order);
      return json(res, 201, publicOrder((await orders.get(order.id)) as Order));
    }
    const match = /^\/api\/orders\/([\w-]+)(\/checkout)?$/.exec(path);
    const order = match && owner ? await orders.getOwned(match[1] as string, owner) : undefined;
    if (match && !order) return json(res, 404, { error: 'No such order.' });
    if (match && order && !match[2] && req.method === 'GET')
      return json(res, 200, publicOrder(order));
    if (match?.[2] && order && req.method === 'POST') {
      if (order.status === 'paid') return json(res, 409, { error: 'This order is paid.' });
      const b = await body(req).catch(() => null);
      if (!b) return json(res, 400, { error: 'Send a JSON object, e.g. {} or {md5}.' });
      if ((await limits.hit(`renew:${owner}`, 60_000)).count > ORDERS_PER_MINUTE)
        return json(res, 429, { error: 'Too many new QRs; try again in a minute.' });
      await checkoutFor(order, typeof b.md5 === 'string' ? b.md5 : undefined);
      return json(res, 201, publicOrder((await orders.get(order.id)) as Order));
    }
    return json(res, 404, { error: 'No such route.' });
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path.startsWith('/api/khqr/')) return void proxyHandler(req, res);
    if (path.startsWith('/api/')) {
      api(req, res, path).catch((error: unknown) => {
        console.error('[storefront]', error);
        if (!res.headersSent) json(res, 500, { error: 'Internal error.' });
      });
      return;
    }
    if (path === '/khqr-checkout.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
        .end(dropIn);
    vite.middlewares(req, res);
  };
  const vite = await createVite({
    root: APP_ROOT,
    configFile: false,
    logLevel: 'warn',
    appType: 'spa',
    resolve: { conditions: [SOURCE, ...defaultClientConditions] },
    // Vite's live-reload socket shares the shop's port, so two shops (the demo and a test run)
    // never fight over Vite's default socket port. The data directory is no source to watch: the
    // default one, or one that KHQR_DATA_DIR puts inside the app.
    server: {
      middlewareMode: true,
      hmr: { server },
      watch: { ignored: ['**/data/**', `${absolute(dataDir)}/**`] },
    },
    optimizeDeps: {
      include: [
        'react',
        'react-dom/client',
        'react/jsx-runtime',
        'react/jsx-dev-runtime',
        '@tanstack/react-query',
        'qrcode.react',
      ],
    },
  }).catch(undo);
  started.push(() => vite.close());
  ready = handle;
  return {
    url,
    dataDir,
    database,
    bankAppUrl: sandbox?.bankAppUrl ?? null,
    sandbox,
    orders,
    /** What the user should know: a busy default port the shop or the sandbox moved from. */
    notices,
    /** Stops the shop's server, then Vite, the proxy, the sandbox and the database (unlocked). */
    close: stopAll,
  };
}
