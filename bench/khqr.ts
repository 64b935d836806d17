// Generate, decode and verify: ours (the modern API and the /compat drop-in) against the official
// SDK and ts-khqr, measured in one run, then the browser bundle sizes of the published dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeKhqr, generateKhqr, type KhqrInput, verifyKhqr } from '@khqr-checkout/khqr';
import {
  IndividualInfo as CompatInfo,
  BakongKHQR as CompatKHQR,
  MerchantInfo as CompatMerchantInfo,
} from '@khqr-checkout/khqr/compat';
import { Bench } from 'tinybench';
import { measure, peers } from '../scripts/size-lib.mjs';
import { fmt, printTable, ratio } from './table.ts';

type Response = { status: { code: number }; data: { qr: string } | null };
type Info = new (...args: unknown[]) => unknown;
const require = createRequire(import.meta.url);
const official = require('bakong-khqr') as {
  BakongKHQR: {
    new (): { generateIndividual(i: unknown): Response; generateMerchant(i: unknown): Response };
    decode(qr: string): unknown;
    verify(qr: string): { isValid: boolean };
  };
  IndividualInfo: Info;
  MerchantInfo: Info;
};
const tsKhqr = require('ts-khqr') as {
  KHQR: {
    generate(p: object): Response;
    parse(qr: string): unknown;
    verify(qr: string): { isValid: boolean };
  };
};

/** One QR to generate, written for each SDK. */
interface Scenario {
  op: string;
  ours: KhqrInput;
  /** Constructor arguments of the official (and compat) IndividualInfo or MerchantInfo. */
  info: unknown[];
  merchant: boolean;
  tsKhqr: object;
}

function scenarios(expires: number): Scenario[] {
  const account = 'sok_coffee@aclb';
  const order = { bill: 'INV-2026-0042', store: 'Riverside' };
  const optional = {
    currency: 840,
    amount: 12.5,
    billNumber: order.bill,
    storeLabel: order.store,
    expirationTimestamp: expires,
  };
  const ours: KhqrInput = {
    bakongAccountId: account,
    merchantName: 'Sok Coffee',
    merchantCity: 'Phnom Penh',
    currency: 'USD',
    amount: 12.5,
    billNumber: order.bill,
    storeLabel: order.store,
    expiresAt: expires,
  };
  const tsBase = {
    accountID: account,
    merchantName: 'Sok Coffee',
    merchantCity: 'Phnom Penh',
    currency: '840',
    amount: 12.5,
    expirationTimestamp: expires,
    additionalData: { billNumber: order.bill, storeLabel: order.store },
  };
  const khmer = { language: 'km', merchantName: 'សុខ កាហ្វេ', merchantCity: 'ភ្នំពេញ' };
  return [
    {
      op: 'generate',
      ours,
      info: [account, 'Sok Coffee', 'Phnom Penh', optional],
      merchant: false,
      tsKhqr: { tag: '29', ...tsBase },
    },
    {
      op: 'generate merchant',
      ours: { ...ours, merchantId: 'SOK-0042', acquiringBank: 'ACLEDA Bank' },
      info: [account, 'Sok Coffee', 'Phnom Penh', 'SOK-0042', 'ACLEDA Bank', optional],
      merchant: true,
      tsKhqr: { tag: '30', merchantID: 'SOK-0042', acquiringBank: 'ACLEDA Bank', ...tsBase },
    },
    {
      op: 'generate Khmer',
      ours: { ...ours, alternateLanguage: khmer },
      info: [
        account,
        'Sok Coffee',
        'Phnom Penh',
        {
          ...optional,
          languagePreference: khmer.language,
          merchantNameAlternateLanguage: khmer.merchantName,
          merchantCityAlternateLanguage: khmer.merchantCity,
        },
      ],
      merchant: false,
      tsKhqr: {
        tag: '29',
        ...tsBase,
        languageData: {
          languagePreference: khmer.language,
          merchantNameAlternateLanguage: khmer.merchantName,
          merchantCityAlternateLanguage: khmer.merchantCity,
        },
      },
    },
  ];
}

// Equal but for the creation time (tag 99) and so the CRC.
const untimed = (s?: string) => s?.replace(/9934\d{34}6304[0-9A-F]{4}$/, '');

export async function benchKhqr(): Promise<void> {
  const expires = Date.now() + 10 * 60_000;
  const theirs = new official.BakongKHQR();
  const compat = new CompatKHQR();
  const bench = new Bench({ time: 700, warmupTime: 200 });
  let qr = '';
  for (const s of scenarios(expires)) {
    const officialInfo = new (s.merchant ? official.MerchantInfo : official.IndividualInfo)(
      ...s.info,
    );
    const compatInfo = s.merchant
      ? new CompatMerchantInfo(...(s.info as ConstructorParameters<typeof CompatMerchantInfo>))
      : new CompatInfo(...(s.info as ConstructorParameters<typeof CompatInfo>));
    const theirsGenerate = s.merchant
      ? () => theirs.generateMerchant(officialInfo)
      : () => theirs.generateIndividual(officialInfo);
    const compatGenerate =
      compatInfo instanceof CompatMerchantInfo
        ? () => compat.generateMerchant(compatInfo)
        : () => compat.generateIndividual(compatInfo);
    const ours = generateKhqr(s.ours).qr;
    for (const [who, other] of [
      ['official', theirsGenerate().data?.qr],
      ['compat', compatGenerate().data?.qr],
    ] as const) {
      if (untimed(other) !== untimed(ours))
        throw new Error(`bench inputs differ (${s.op}, ${who}): ${other} vs ${ours}`);
    }
    qr ||= ours;
    bench
      .add(`${s.op}: ours`, () => generateKhqr(s.ours))
      .add(`${s.op}: ours (compat)`, compatGenerate)
      .add(`${s.op}: official`, theirsGenerate)
      .add(`${s.op}: ts-khqr`, () => tsKhqr.KHQR.generate(s.tsKhqr));
  }
  if (!official.BakongKHQR.verify(qr).isValid || !verifyKhqr(qr).valid)
    throw new Error('bench QR is not valid');
  bench
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
    const op = task.name.slice(0, task.name.indexOf(':'));
    const ops = opsOf(task.name);
    return [
      task.name,
      fmt(ops),
      ratio(ops, opsOf(`${op}: official`)),
      ratio(ops, opsOf(`${op}: ts-khqr`)),
    ];
  });
  printTable(
    `KHQR SDK (Node ${process.version}, a ${qr.length}-character dynamic USD QR; merchant: tag 30; Khmer: with a tag 64 name and city; median ops/s)`,
    ['task', 'ops/s', 'vs official', 'vs ts-khqr'],
    rows,
  );

  // What users get: the published dist/ (after `pnpm build`); the source when it is not built.
  const source = !existsSync(new URL('../packages/khqr/dist/index.js', import.meta.url));
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
    ].map(async (entry) => ({ ...entry, ...(await measure(entry.code, { source })) })),
  );
  const officialSize = sizes.find((s) => s.name.startsWith('bakong-khqr'))?.gzip ?? 1;
  printTable(
    `Browser bundle size (esbuild, minified ESM, GNU gzip -9; ${source ? 'the TypeScript source: run pnpm build to measure dist/' : 'the built dist/'})`,
    ['bundle', 'min+gzip B', 'minified B', 'share of official'],
    sizes.map((s) => [
      s.name,
      fmt(s.gzip),
      fmt(s.minified),
      `${((100 * s.gzip) / officialSize).toFixed(0)} %`,
    ]),
  );
}
