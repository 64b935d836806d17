// Type-checked by `pnpm smoke` against the built `dist/` typings, as a consumer with
// `moduleResolution: NodeNext` and no source condition sees them.
import { generateKhqr, type KhqrData, KhqrError, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR, IndividualInfo } from '@khqr-checkout/khqr/compat';

const generated: { qr: string; md5: string; expiresAt: number | null } = generateKhqr({
  bakongAccountId: 'a@b',
  merchantName: 'A',
  currency: 'USD',
  amount: '1.00',
});
const result = verifyKhqr(generated.qr);
const data: KhqrData | undefined = result.valid ? result.data : undefined;
const code: number | undefined = result.valid ? undefined : result.error.code;
const envelope = new BakongKHQR().generateIndividual(new IndividualInfo('a@b', 'A', 'PP'));
const qr: string | undefined = envelope.data?.qr;

export { code, data, KhqrError, qr };
