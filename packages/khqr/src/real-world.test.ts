// Issue 16: the SDK reads every KHQR real customers hold. The corpus (test/real-world.json) holds
// each shape of shared/reference/khqr-format.md §8 as a complete QR, near misses, and the QR
// strings of the official SDK's own tests, each with the official verify answer at its clock
// (checked live against the official SDK in real-world.node.test.ts).
import { decodeKhqr, generateKhqr, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { text, validInput } from '../test/arbitraries.ts';
import {
  differential,
  expectedDisagreements,
  MODES,
  type Mode,
  realWorld,
} from '../test/real-world.ts';
import { crc16 } from './crc16.ts';
import { tlv } from './tlv.ts';

const SEED = 20261123;
const rebuild = (tags: Array<[string, string]>) => tags.map(([t, v]) => tlv(t, v)).join('');
const accepted = realWorld.filter((c) => c.official);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('real-world KHQR corpus', () => {
  it('holds every shape of §8, accepted by the official SDK, and near misses it refuses', () => {
    const shapes = new Set(accepted.flatMap((c) => c.exercises));
    for (const shape of [
      '99 not a timestamp',
      '39',
      '40',
      '61',
      '15',
      '29-10',
      '29-11',
      '30-05',
      '62-68',
      '62-99',
      'long expiry (24 h)',
      'amount 1.0',
      'amount 5000.0',
      'non-ASCII name',
      'Khmer 64',
      'static 99 creation only',
    ]) {
      expect(shapes, shape).toContain(shape);
    }
    expect(realWorld.filter((c) => c.exercises.includes('near miss')).length).toBeGreaterThan(15);
    expect(realWorld.filter((c) => c.source.startsWith('bakong-khqr')).length).toBe(25);
    expect(new Set(realWorld.map((c) => c.id)).size).toBe(realWorld.length);
  });

  it.each(Object.keys(MODES) as Mode[])(
    'verifyKhqr (%s) and the compat verify agree with the official verify',
    (mode) => {
      const { ours, compat } = differential(realWorld, (c) => c.official, mode);
      expect(
        ours.map((d) => d.id),
        JSON.stringify(ours),
      ).toEqual(expectedDisagreements(mode));
      expect(compat).toEqual([]);
    },
  );

  it('refuses a long-lived QR with EXPIRY_TOO_FAR only under the default options', () => {
    for (const c of realWorld.filter((c) => c.longLifetime && !c.expired)) {
      expect(verifyKhqr(c.qr, { now: c.now }), c.id).toMatchObject({ error: { code: 104 } });
    }
    for (const c of realWorld.filter((c) => c.expired)) {
      expect(verifyKhqr(c.qr, { now: c.now }), c.id).toMatchObject({ error: { code: 46 } });
    }
  });

  it.each(accepted.map((c) => [c.id, c] as const))(
    'decodes %s, keeping every tag raw and in order',
    (_, c) => {
      const data = decodeKhqr(c.qr);
      expect(rebuild(data.tags)).toBe(c.qr);
      // verify returns the same record.
      const result = verifyKhqr(c.qr, { now: c.now, ignoreExpiry: true });
      expect(result.valid && result.data).toEqual(data);
    },
  );

  it('reads the known fields beside the issuer additions', () => {
    const everything = decodeKhqr(realWorld.find((c) => c.id === 'everything-24h')?.qr as string);
    expect(everything).toMatchObject({
      type: 'merchant',
      dynamic: true,
      bakongAccountId: 'khqr@aclb',
      merchantId: '85512464906',
      acquiringBank: 'ACLEDA Bank Plc',
      upiMerchantAccount: '6230601234567890123',
      amount: '120000.0',
      currency: 'KHR',
      merchantName: 'Café Sokha',
      billNumber: 'INV-77',
      alternateLanguage: { language: 'km', merchantName: 'ហាងលក់ទំនិញ សុខា', merchantCity: 'ភ្នំពេញ' },
    });
    expect(everything.expiresAt).toBe((everything.createdAt as number) + 86_400_000);
    expect(everything.tags.map(([tag]) => tag).join(' ')).toBe(
      '00 01 15 30 39 40 52 53 54 58 59 60 61 62 64 65 99 63',
    );
    expect(Object.fromEntries(everything.tags)).toMatchObject({
      '39': '2CCY',
      '40': '0006abaP2P',
      '61': '120101',
      '65': '0003ABC',
    });
    const aba = decodeKhqr(realWorld.find((c) => c.id === 'aba-merchant-99')?.qr as string);
    expect(aba.createdAt).toBeUndefined();
    expect(Object.fromEntries(aba.tags)['99']).toBe('00134C1E0A57B9F236803mmp');
    const canadia = decodeKhqr(
      realWorld.find((c) => c.id === 'canadia-29-10-11-24h')?.qr as string,
    );
    expect(canadia).toMatchObject({
      bakongAccountId: 'dara_sok@cadi',
      accountInformation: '0012345678',
    });
  });
});

describe('unknown tags and templates (property)', () => {
  const KNOWN = [
    '00',
    '01',
    '15',
    '29',
    '30',
    '52',
    '53',
    '54',
    '58',
    '59',
    '60',
    '62',
    '63',
    '64',
    '99',
  ];
  const tagOf = (n: number) => String(n).padStart(2, '0');
  const unknownTag = fc.integer({ min: 2, max: 98 }).map(tagOf);
  /** A plain value or a template of 1–3 sub-objects, as issuers write them. */
  const value = fc.oneof(
    text(1, 20),
    fc
      .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 99 }).map(tagOf), text(1, 8)), {
        minLength: 1,
        maxLength: 3,
        selector: ([t]) => t,
      })
      .map((subs) => rebuild(subs)),
  );
  const extra = fc.record({
    top: fc.uniqueArray(fc.tuple(unknownTag, value, fc.nat()), {
      maxLength: 3,
      selector: ([t]) => t,
    }),
    account: fc.option(fc.tuple(fc.integer({ min: 3, max: 99 }).map(tagOf), value)),
    additional: fc.option(
      fc.tuple(fc.constantFrom('04', '05', '06', '09', '50', '68', '99'), value),
    ),
    timestamps: fc.option(fc.tuple(fc.integer({ min: 2, max: 99 }).map(tagOf), value)),
  });

  it('never break decode, are kept raw in order, and change no verdict', () => {
    const seen = { top: 0, sub: 0 };
    fc.assert(
      fc.property(validInput, extra, (input, more) => {
        const { qr } = generateKhqr(input);
        const before = decodeKhqr(qr);
        const tags = before.tags.slice(0, -1).map(([t, v]): [string, string] => [t, v]);
        const add = (tag: string, sub: [string, string] | null) => {
          const entry = tags.find(([t]) => t === tag);
          if (sub && entry) entry[1] += tlv(...sub);
        };
        add(before.type === 'merchant' ? '30' : '29', more.account);
        add('62', more.additional);
        add('99', more.timestamps);
        for (const [tag, v, at] of more.top) {
          if (!KNOWN.includes(tag)) tags.splice(at % (tags.length + 1), 0, [tag, v]);
        }
        fc.pre(tags.every(([, v]) => v.length <= 99));
        const body = `${rebuild(tags)}6304`;
        fc.pre(body.length + 4 <= 512);
        const mutated = body + crc16(body);

        seen.top += Number(tags.length > before.tags.length - 1);
        const old = new Map(before.tags);
        seen.sub += Number(tags.some(([t, v]) => old.has(t) && v !== old.get(t)));
        const after = decodeKhqr(mutated);
        expect(rebuild(after.tags)).toBe(mutated);
        const { tags: _a, crc: _b, ...known } = after;
        const { tags: _c, crc: _d, ...knownBefore } = before;
        expect(known).toEqual(knownBefore);
        expect(verifyKhqr(mutated, { now: input.now as number }).valid).toBe(true);
        vi.spyOn(Date, 'now').mockReturnValue(input.now as number);
        expect(BakongKHQR.verify(mutated).isValid).toBe(true);
        vi.restoreAllMocks();
      }),
      { seed: SEED, numRuns: 800 },
    );
    // Most runs must carry additions, or the property proves little.
    expect(seen.top).toBeGreaterThan(400);
    expect(seen.sub).toBeGreaterThan(400);
  });
});
