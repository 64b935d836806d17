// Differential test of verifyKhqr and the compat verify/decode against the official SDK itself
// (bakong-khqr 1.0.20, loaded as CommonJS in sloppy mode, the only way it works), over the
// real-world corpus (test/real-world.json) and every QR string of the official vectors.
import { createRequire } from 'node:module';
import { decodeKhqr, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  differential,
  expectedDisagreements,
  MODES,
  type Mode,
  realWorld,
} from '../test/real-world.ts';
import { casesOf } from '../test/vectors.ts';

const official = createRequire(import.meta.url)('bakong-khqr') as {
  BakongKHQR: {
    verify(qr: string): { isValid: boolean };
    decode(qr: string): { data: Record<string, unknown> };
  };
};

function officialVerify(qr: string, now: number): boolean {
  vi.spyOn(Date, 'now').mockReturnValue(now);
  try {
    return official.BakongKHQR.verify(qr).isValid;
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

const modes = Object.keys(MODES) as Mode[];

describe('real-world corpus against bakong-khqr 1.0.20', () => {
  it('records the official answers the official SDK gives', () => {
    const wrong = realWorld.filter((c) => officialVerify(c.qr, c.now) !== c.official);
    expect(wrong.map((c) => c.id)).toEqual([]);
  });

  it.each(modes)('verifyKhqr (%s) and the compat verify agree with the official verify', (mode) => {
    const { ours, compat } = differential(realWorld, (c) => officialVerify(c.qr, c.now), mode);
    expect(
      ours.map((d) => d.id),
      JSON.stringify(ours),
    ).toEqual(expectedDisagreements(mode));
    expect(compat).toEqual([]);
  });

  it('gives the official decode record, less the keys its spread bug adds', () => {
    for (const c of realWorld) {
      const ours = BakongKHQR.decode(c.qr);
      if (c.officialDecodeHangs) {
        // Where the official decode never returns, the compat one answers an error.
        expect(ours.status.code, c.id).toBe(1);
        continue;
      }
      const theirs = official.BakongKHQR.decode(c.qr).data;
      const spread = Object.keys(theirs).filter((k) => /^\d+$/.test(k));
      expect(ours.data, c.id).toEqual(
        Object.fromEntries(Object.entries(theirs).filter(([k]) => !spread.includes(k))),
      );
    }
  });
});

describe('official vectors against bakong-khqr 1.0.20', () => {
  /** Where verifyKhqr refuses what the official verify accepts, on purpose: [our code, why]. */
  const STRICTER: Record<string, [code: number, why: string]> = {
    'quirk-239': [4, 'amount NaN'],
    'quirk-242': [4, 'amount 1e+21'],
    'quirk-249': [18, 'MCC of 2 digits'],
    'quirk-250': [39, 'tag 64 with an alternate city alone'],
    'quirk-253': [3, 'account a@b@c'],
    'quirk-256': [105, 'emoji in the name'],
    'quirk-257': [38, '1-letter language preference'],
    'decode-281': [106, 'tag 58 twice, KH then US'],
    'decode-285': [108, 'country US'],
    'decode-286': [4, 'amount abc'],
  };
  const items = [
    ...casesOf('valid').map((c) => ({ id: c.id, qr: c.qr, now: c.now })),
    ...casesOf('decode')
      .filter((c) => !c.verifyHangs)
      .map((c) => ({ id: c.id, qr: c.input, now: c.now })),
    ...casesOf('quirk').flatMap((c) => {
      const qr = (c.result.data as { qr?: unknown } | null)?.qr;
      return typeof qr === 'string' ? [{ id: c.id, qr, now: c.now }] : [];
    }),
  ];
  /** Dynamic vectors living over 10 minutes: refused (104) under the default options only. */
  const longLived = items
    .filter((i) => {
      const r = verifyKhqr(i.qr, { now: i.now, allowLongExpiry: true });
      return (
        r.valid &&
        r.data.dynamic &&
        (r.data.expiresAt as number) - (r.data.createdAt as number) > 600_000
      );
    })
    .map((i) => i.id);

  it('runs every QR string of the vectors', () => {
    expect(items.length).toBeGreaterThan(120);
    expect(longLived.length).toBeGreaterThan(0);
  });

  it.each(modes)(
    'verifyKhqr (%s) agrees, but for the stricter rules; the compat verify always',
    (mode) => {
      const { ours, compat } = differential(items, (i) => officialVerify(i.qr, i.now), mode);
      const expected = Object.entries(STRICTER).map(([id, [code]]) => ({
        id,
        official: true,
        ours: code,
      }));
      if (mode === 'default options') {
        expected.push(...longLived.map((id) => ({ id, official: true, ours: 104 })));
      }
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect(ours.sort(byId)).toEqual(expected.sort(byId));
      expect(compat).toEqual([]);
    },
  );

  it('answers at once where the official verify hangs', () => {
    for (const c of casesOf('decode').filter((c) => c.verifyHangs)) {
      expect(verifyKhqr(c.input, { now: c.now }).valid).toBe(false);
      expect(BakongKHQR.verify(c.input).isValid).toBe(false);
    }
  });

  it('decodes every string the official verify accepts, but the repeated tag', () => {
    for (const i of items) {
      if (!officialVerify(i.qr, i.now) || i.id === 'decode-281') continue;
      expect(() => decodeKhqr(i.qr), i.id).not.toThrow();
    }
  });
});
