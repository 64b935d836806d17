// After `pnpm build`: the published entries work from plain Node ESM, without the source condition.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const khqr = await import('@khqr-checkout/khqr');
const compat = await import('@khqr-checkout/khqr/compat');
const now = Date.now();
const { qr, md5, expiresAt } = khqr.generateKhqr({
  bakongAccountId: 'smoke@test',
  merchantName: 'Smoke Test',
  currency: 'USD',
  amount: '1.50',
  now,
});
assert.equal(md5, createHash('md5').update(qr).digest('hex'));
assert.equal(expiresAt, now + 300_000);
assert.equal(khqr.verifyKhqr(qr).valid, true);
assert.equal(khqr.decodeKhqr(qr).amount, '1.50');
assert.equal(compat.BakongKHQR.verify(qr).isValid, true);
const result = new compat.BakongKHQR().generateIndividual(
  new compat.IndividualInfo('smoke@test', 'Smoke Test', 'Phnom Penh'),
);
assert.equal(result.status.code, 0);
assert.throws(() => khqr.generateKhqr({ bakongAccountId: 'x', merchantName: 'y' }), khqr.KhqrError);
console.log('dist smoke test: @khqr-checkout/khqr and /compat load and work from plain Node ESM');

const { startSandbox, DEV_TOKEN } = await import('@khqr-checkout/sandbox');
const { createKhqrProxy } = await import('@khqr-checkout/proxy');
const { listen } = await import('@khqr-checkout/proxy/node');
const sandbox = await startSandbox({ port: 0 });
// The proxy's default ledger: the embedded database in KHQR_DATA_DIR.
const dataDir = mkdtempSync(join(tmpdir(), 'khqr-smoke-'));
process.env.KHQR_DATA_DIR = dataDir;
try {
  const proxy = createKhqrProxy({
    bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
    merchant: { accounts: ['smoke@test'] },
    logger: { info() {}, warn() {}, error() {} },
  });
  const server = await listen(proxy, 0);
  const checkout = await proxy.createCheckout({ amount: '2.00', currency: 'USD' });
  sandbox.pay({ qr: checkout.qr });
  const status = await fetch(`${server.url}/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ md5: checkout.md5 }),
  }).then((r) => r.json());
  assert.equal(status.status, 'paid');
  await server.close();
  await proxy.close();
  assert.ok(existsSync(join(dataDir, 'pgdata', 'PG_VERSION')), 'the ledger is in KHQR_DATA_DIR');
  console.log(
    'dist smoke test: @khqr-checkout/proxy answers paid from its build, ledger in KHQR_DATA_DIR',
  );

  sandbox.pay({ qr });
  const response = await fetch(`${sandbox.url}/v1/check_transaction_by_md5`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
    body: JSON.stringify({ md5 }),
  });
  const answer = await response.json();
  assert.equal(answer.responseCode, 0);
  assert.equal(answer.data.amount, 1.5);
} finally {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log('dist smoke test: @khqr-checkout/sandbox serves from its build');
