// An Express server: the proxy under /api/khqr, the order endpoint, and a built app (APP_DIST).
import { nodeHandler } from '@khqr-checkout/proxy/node';
import express from 'express';
import { checkoutFor, proxy } from './shop.js';

const app = express();
app.use(express.json());
app.use('/api/khqr', nodeHandler(proxy));
app.post('/orders/:id/checkout', async (req, res) => {
  const checkout = await checkoutFor(req.params.id);
  res.json({ qr: checkout.qr });
});
if (process.env.APP_DIST) app.use(express.static(process.env.APP_DIST));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    console.log(`listening on http://127.0.0.1:${address.port}`);
});
