// Generate, decode and verify: ours against the official SDK and ts-khqr, measured in one run.
import { createRequire } from 'node:module';
import { decodeKhqr, generateKhqr, verifyKhqr } from '@khqr-checkout/khqr';
import { IndividualInfo as CompatInfo, BakongKHQR as CompatKHQR } from '@khqr-checkout/khqr/compat';
import { Bench } from 'tinybench';
import { measure, peers } from '../scripts/size-lib.mjs';
import { fmt, printTable, ratio } from './table.ts';

type Response = { status: { code: number }; data: { qr: string } | null };
const require = createRequire(import.meta.url);
const official = require('bakong-khqr') as {
  BakongKHQR: {
    new (): { generateIndividual(i: unknown): Response };
    decode(qr: string): unknown;
    verify(qr: string): { isValid: boolean };
  };
  IndividualInfo: new (...args: unknown[]) => unknown;
};
const tsKhqr = require('ts-khqr') as {
  KHQR: {
    generate(p: object): Response;
    parse(qr: string): unknown;
    verify(qr: string): { isValid: boolean };
  };
};

export async function benchKhqr(): Promise<void> {
  const expires = Date.now() + 10 * 60_000;
  const order = {
    account: 'sok_coffee@aclb',
    name: 'Sok Coffee',
    city: 'Phnom Penh',
    bill: 'INV-2026-0042',
    store: 'Riverside',
  };
  const officialInfo = new official.IndividualInfo(order.account, order.name, order.city, {
    currency: 840,
    amount: 12.5,
    billNumber: order.bill,
    storeLabel: order.store,
    expirationTimestamp: expires,
  });
  const compatInfo = new CompatInfo(order.account, order.name, order.city, {
    currency: 840,
    amount: 12.5,
    billNumber: order.bill,
    storeLabel: order.store,
    expirationTimestamp: expires,
  });
  const tsInput = {
    tag: '29',
    accountID: order.account,
    merchantName: order.name,
    merchantCity: order.city,
    currency: '840',
    amount: 12.5,
    expirationTimestamp: expires,
    additionalData: { billNumber: order.bill, storeLabel: order.store },
  };
  const input = {
    bakongAccountId: order.account,
    merchantName: order.name,
    merchantCity: order.city,
    currency: 'USD' as const,
    amount: 12.5,
    billNumber: order.bill,
    storeLabel: order.store,
    expiresAt: expires,
  };
  const theirs = new official.BakongKHQR();
  const compat = new CompatKHQR();
  const qr = generateKhqr(input).qr;
  const officialQr = theirs.generateIndividual(officialInfo).data?.qr;
  // Equal but for the creation time (tag 99) and so the CRC.
  const untimed = (s?: string) => s?.replace(/9934\d{34}6304[0-9A-F]{4}$/, '');
  if (untimed(officialQr) !== untimed(qr))
    throw new Error(`bench inputs differ: ${officialQr} vs ${qr}`);
  if (!official.BakongKHQR.verify(qr).isValid || !verifyKhqr(qr).valid)
    throw new Error('bench QR is not valid');

  const bench = new Bench({ time: 700, warmupTime: 200 });
  bench
    .add('generate: ours', () => generateKhqr(input))
    .add('generate: ours (compat)', () => compat.generateIndividual(compatInfo))
    .add('generate: official', () => theirs.generateIndividual(officialInfo))
    .add('generate: ts-khqr', () => tsKhqr.KHQR.generate(tsInput))
    .add('decode: ours', () => decodeKhqr(qr))
    .add('decode: ours (compat)', () => CompatKHQR.decode(qr))
    .add('decode: official', () => official.BakongKHQR.decode(qr))
    .add('decode: ts-khqr', () => tsKhqr.KHQR.parse(qr))
    .add('verify: ours', () => verifyKhqr(qr))
    .add('verify: ours (compat)', () => CompatKHQR.verify(qr))
    .add('verify: official', () => official.BakongKHQR.verify(qr))
    .add('verify: ts-khqr', () => tsKhqr.KHQR.verify(qr));
  await bench.run();

  const opsOf = (name: string): number => {
    const result = bench.tasks.find((t) => t.name === name)?.result;
    if (!result || !('throughput' in result)) throw new Error(`no result for ${name}`);
    return result.throughput.p50;
  };
  const rows = bench.tasks.map((task) => {
    const op = task.name.split(':')[0] as string;
    const ops = opsOf(task.name);
    return [
      task.name,
      fmt(ops),
      ratio(ops, opsOf(`${op}: official`)),
      ratio(ops, opsOf(`${op}: ts-khqr`)),
    ];
  });
  printTable(
    `KHQR SDK (Node ${process.version}, a ${qr.length}-character dynamic USD QR; median ops/s)`,
    ['task', 'ops/s', 'vs official', 'vs ts-khqr'],
    rows,
  );

  const sizes = await Promise.all(
    [
      {
        name: '@khqr-checkout/khqr: generateKhqr + khqrMd5',
        code: "export { generateKhqr, khqrMd5 } from '@khqr-checkout/khqr';",
      },
      {
        name: '@khqr-checkout/khqr: whole modern API',
        code: "export * from '@khqr-checkout/khqr';",
      },
      ...peers,
    ].map(async (entry) => ({ ...entry, ...(await measure(entry.code)) })),
  );
  const officialSize = sizes.find((s) => s.name.startsWith('bakong-khqr'))?.gzip ?? 1;
  printTable(
    'Browser bundle size (esbuild, minified ESM, GNU gzip -9)',
    ['bundle', 'min+gzip B', 'minified B', 'share of official'],
    sizes.map((s) => [
      s.name,
      fmt(s.gzip),
      fmt(s.minified),
      `${((100 * s.gzip) / officialSize).toFixed(0)} %`,
    ]),
  );
}
