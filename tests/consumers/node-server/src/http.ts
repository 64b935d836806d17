// A plain Node `http` server: the proxy under /api/khqr, the order endpoint, and static pages.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { nodeHandler } from '@khqr-checkout/proxy/node';
import { checkoutFor, proxy } from './shop.js';

const require = createRequire(import.meta.url);
const dropIn = require.resolve('@khqr-checkout/element/khqr-checkout.js');
const publicDir = new URL('../public/', import.meta.url).pathname;
const handleKhqr = nodeHandler(proxy);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path.startsWith('/api/khqr/')) return handleKhqr(req, res);
  const order = path.match(/^\/orders\/([\w-]+)\/checkout$/);
  if (order?.[1] && req.method === 'POST') {
    const checkout = await checkoutFor(order[1]);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ qr: checkout.qr }));
  }
  const pay = path.match(/^\/pay\/([\w-]+)$/);
  if (pay?.[1]) {
    // A server-rendered page: the order's QR in the card's attribute.
    const { qr } = await checkoutFor(pay[1]);
    const page = await readFile(join(publicDir, 'pay.html'), 'utf8');
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(page.replace('{{qr}}', qr));
  }
  const file = path === '/assets/khqr-checkout.js' ? dropIn : join(publicDir, path);
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    console.log(`listening on http://127.0.0.1:${address.port}`);
});
