// One origin with a page, the drop-in script and (optionally) the proxy: what a merchant's static
// site looks like, for the benches and the card picture.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KhqrProxy } from '@khqr-checkout/proxy';
import { nodeHandler } from '@khqr-checkout/proxy/node';
import { buildDropIn } from '../packages/element/drop-in.build.ts';

export interface DropInSite {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The drop-in script served, as built from source. */
  script: string;
  close(): Promise<void>;
}

/**
 * Serves `page` at every path, the drop-in (built from source) at `/khqr-checkout.js`, and the
 * proxy's routes under its `basePath` (`/api/khqr/` expected) when one is given.
 */
export async function serveDropInSite(page: string, proxy?: KhqrProxy): Promise<DropInSite> {
  const script = await buildDropIn();
  const api = proxy ? nodeHandler(proxy) : undefined;
  const server = createServer((req, res) => {
    if (api && req.url?.startsWith('/api/khqr/')) return void api(req, res);
    if (req.url === '/khqr-checkout.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
