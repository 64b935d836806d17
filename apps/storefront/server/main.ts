// `pnpm demo`: the shop, the proxy and the embedded Bakong sandbox, with no configuration. Two
// demos run side by side, each with its own KHQR_DATA_DIR: a busy default port (5173 for the
// shop, 4010 for the sandbox) gives way to a free one; a port set in PORT or SANDBOX_PORT is
// taken or the demo says why not.
import { StartupError } from './ports.ts';
import { startStorefront } from './storefront.ts';

const shop = await startStorefront().catch((error: unknown) => {
  // What the user can fix is said in one sentence; anything else with its stack.
  console.error(error instanceof StartupError ? `\n  ${error.message}\n` : error);
  process.exit(1);
});
for (const notice of shop.notices) console.log(`  ${notice}`);
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
