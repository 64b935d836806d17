// `pnpm demo`: the shop, the proxy and the embedded Bakong sandbox, with no configuration.
import { startStorefront } from './storefront.ts';

const shop = await startStorefront().catch((error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `A port is in use (${error.message}): set PORT, or stop the other server.`
      : error,
  );
  process.exit(1);
});
console.log(`
  Phsar Khmer demo shop   ${shop.url}
  ${shop.bankAppUrl ? `Sandbox bank app        ${shop.bankAppUrl}   (pay or fail QRs here)` : 'Real Bakong             BAKONG_BASE_URL (no sandbox)'}
  Plain HTML page         ${shop.url}/plain.html
  Data (orders, ledger)   ${shop.dataDir}

  Ctrl-C stops everything.
`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void shop.close().then(() => process.exit(0));
  });
}
