// After `pnpm build`: the published entries work from plain Node ESM, without the source condition.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

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
const sandbox = await startSandbox({ port: 0 });
try {
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
}
console.log('dist smoke test: @khqr-checkout/sandbox serves from its build');
