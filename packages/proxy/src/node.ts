import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { KhqrProxy } from './proxy.ts';

/** Options of {@link nodeHandler}. */
export interface NodeAdapterOptions {
  /**
   * Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front (nginx, a load
   * balancer). Leave off when clients connect directly, or they could forge their address.
   * @default false
   */
  trustProxy?: boolean;
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
  return async (
    req: IncomingMessage & { originalUrl?: string; body?: unknown },
    res: ServerResponse,
    next?: Next,
  ): Promise<void> => {
    try {
      const forwarded = options.trustProxy
        ? String(req.headers['x-forwarded-for'] ?? '')
            .split(',')[0]
            ?.trim()
        : '';
      const proto = options.trustProxy
        ? String(req.headers['x-forwarded-proto'] ?? '')
            .split(',')[0]
            ?.trim()
        : '';
      const url = `${proto || 'http'}://${req.headers.host ?? 'localhost'}${req.originalUrl ?? req.url ?? '/'}`;
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
        clientIp: forwarded || req.socket.remoteAddress || 'unknown',
      });
      if (response.status === 404 && next) {
        const body = (await response
          .clone()
          .json()
          .catch(() => null)) as { error?: { code?: string } } | null;
        if (body?.error?.code === 'not_found') {
          next();
          return;
        }
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
    server.listen(port, host, () => resolve());
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
