import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { KhqrProxy } from './proxy.ts';

/** Options of {@link nodeHandler}. */
export interface NodeAdapterOptions {
  /**
   * Reverse proxies in front (nginx, a load balancer) whose `X-Forwarded-For` and
   * `X-Forwarded-Proto` are trusted: `true` is one, a number says how many. Each appends the
   * address it got the request from, so the client's is the entry that many hops from the right
   * (what a client writes itself is further left, and ignored), as Express's `trust proxy` does.
   * Leave off when clients connect directly, or they could forge their address.
   * @default false
   */
  trustProxy?: boolean | number;
}

/**
 * The client's address: with `hops` trusted proxies in front, the address that many hops back
 * along [X-Forwarded-For entries…, the socket's peer]. Entries left of it were written by the
 * client (or by hops nobody vouches for) and are ignored.
 */
export function clientAddress(
  forwardedFor: string | string[] | undefined,
  peer: string | undefined,
  hops: number,
): string {
  const chain = [
    ...(Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    peer ?? 'unknown',
  ];
  return chain[Math.max(0, chain.length - 1 - hops)] as string;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function badRequest(res: ServerResponse, message: string): void {
  res
    .writeHead(400, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { code: 'bad_request', message } }));
}

type Next = (error?: unknown) => void;

/**
 * Adapts the proxy to Node's `http` and to Express/Connect middleware. As middleware, requests
 * outside the proxy's routes go on to `next()`; a body already parsed by `express.json()` is used.
 * @example
 * app.use(nodeHandler(proxy));                       // Express, with basePath '/api/khqr'
 * http.createServer(nodeHandler(proxy)).listen(4020); // plain Node
 */
export function nodeHandler(proxy: KhqrProxy, options: NodeAdapterOptions = {}) {
  const trust = options.trustProxy ?? false;
  if (!(typeof trust === 'boolean' || (Number.isInteger(trust) && trust >= 0 && trust <= 10)))
    throw new Error(
      `[khqr-proxy] trustProxy must be true, false or the number of reverse proxies in front, 0–10 (got ${JSON.stringify(trust)}).`,
    );
  return async (
    req: IncomingMessage & { originalUrl?: string; body?: unknown },
    res: ServerResponse,
    next?: Next,
  ): Promise<void> => {
    try {
      const hops = options.trustProxy === true ? 1 : Number(options.trustProxy || 0);
      // The nearest trusted proxy's word on the scheme: the rightmost entry.
      const proto = hops
        ? String(req.headers['x-forwarded-proto'] ?? '')
            .split(',')
            .at(-1)
            ?.trim()
        : '';
      const host = req.headers.host ?? 'localhost';
      const target = req.originalUrl ?? req.url ?? '/';
      // A Host that is no host name (`a b`, `user@evil`) or an absolute-form target is a bad
      // request, not a server error.
      if (!target.startsWith('/')) return badRequest(res, 'The request target must be a path.');
      const url = `${proto === 'https' ? 'https' : 'http'}://${host}${target}`;
      // What the URL parser refuses too (a port over 65535, a bad IP literal) is the client's.
      if (!HOST.test(host) || !URL.canParse(url))
        return badRequest(res, 'The Host header is not a host name.');
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const parsed = req.body !== undefined && req.readableEnded;
      if (parsed) headers.delete('content-length');
      const request = new Request(url, {
        method: req.method ?? 'GET',
        headers,
        ...(hasBody
          ? parsed
            ? { body: JSON.stringify(req.body) }
            : { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' }
          : {}),
      } as RequestInit);
      const response = await proxy.handler(request, {
        clientIp: hops
          ? clientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, hops)
          : (req.socket.remoteAddress ?? 'unknown'),
      });
      // None of the proxy's routes (its 404, or the preflight it lets pass): the app's.
      if (next && response.headers.has('x-khqr-no-route')) {
        next();
        return;
      }
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, {
        ...Object.fromEntries(response.headers),
        'content-length': String(body.length),
      });
      res.end(body);
    } catch (error) {
      if (next) next(error);
      else if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"error":{"code":"internal","message":"Internal error."}}');
      else res.destroy();
    }
  };
}

/** Serves the proxy alone on `host:port` (the standalone server and the tests use this). */
export async function listen(
  proxy: KhqrProxy,
  port: number,
  host = '127.0.0.1',
  options: NodeAdapterOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const handle = nodeHandler(proxy, options);
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a saturated Node 20 accepts one connection per event-loop pass, and
    // the default 511 refuses a burst of widgets (pnpm bench proxy).
    server.listen({ port, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
