import { KhqrError, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { infoFor } from '../../test/official-input.ts';
import { casesOf, vectorMeta } from '../../test/vectors.ts';

const khqr = new BakongKHQR();
const pinNow = (now: number) => vi.spyOn(Date, 'now').mockReturnValue(now);
afterEach(() => {
  vi.restoreAllMocks();
});

function generate(kind: 'individual' | 'merchant', info: ReturnType<typeof infoFor>) {
  return kind === 'merchant'
    ? khqr.generateMerchant(info as Parameters<BakongKHQR['generateMerchant']>[0])
    : khqr.generateIndividual(info);
}

describe('official vectors through @khqr-checkout/khqr/compat', () => {
  it('has every group the vector file declares', () => {
    expect(casesOf('valid').length).toBeGreaterThan(90);
    expect(casesOf('invalid').length).toBeGreaterThan(40);
    expect(casesOf('quirk').length).toBeGreaterThan(10);
    expect(casesOf('decode').length).toBeGreaterThan(20);
    expect(vectorMeta.sdk).toBe('bakong-khqr@1.0.20');
  });

  describe('valid: same qr, md5, decode, decodeNonKhqr and verify', () => {
    it.each(casesOf('valid').map((c) => [`${c.id} ${c.note}`, c] as const))('%s', (_, c) => {
      pinNow(c.now);
      const result = generate(c.kind, infoFor(c.kind, c.input));
      expect(result).toEqual({
        status: { code: 0, errorCode: null, message: null },
        data: { qr: c.qr, md5: c.md5 },
      });
      expect(BakongKHQR.decode(c.qr)).toEqual(c.decoded);
      expect(BakongKHQR.decodeNonKhqr(c.qr)).toEqual(c.decodedNonKhqr);
      expect(BakongKHQR.verify(c.qr)).toEqual(c.verify);
    });
  });

  describe('invalid: same error code and message', () => {
    it.each(casesOf('invalid').map((c) => [`${c.id} ${c.note}`, c] as const))('%s', (_, c) => {
      pinNow(c.now);
      if (c.thrown !== undefined) {
        expect(() => infoFor(c.kind, c.input)).toThrow(KhqrError);
        expect(() => infoFor(c.kind, c.input)).toThrow(c.thrown);
        return;
      }
      const result = generate(c.kind, infoFor(c.kind, c.input));
      expect(result).toEqual({
        status: { code: 1, errorCode: c.error?.code, message: c.error?.message },
        data: null,
      });
    });
  });

  describe('quirk: rejected with a clear error, or encoded as a correct KHQR', () => {
    it.each(casesOf('quirk').map((c) => [`${c.id} ${c.note}`, c] as const))('%s', (_, c) => {
      pinNow(c.now);
      const result = generate(c.kind, infoFor(c.kind, c.input));
      const officialQr = (c.result.data as { qr?: unknown } | null)?.qr;
      if (result.status.code === 1) {
        expect(result.data).toBeNull();
        expect(result.status.errorCode).toBeTypeOf('number');
        expect(result.status.message?.length).toBeGreaterThan(10);
        return;
      }
      const qr = result.data?.qr as string;
      expect(qr).not.toBe(officialQr === undefined ? undefined : '');
      const verification = verifyKhqr(qr, { now: c.now, allowLongExpiry: true });
      expect(verification.valid, JSON.stringify(verification)).toBe(true);
      expect(BakongKHQR.verify(qr).isValid).toBe(true);
    });

    it('rejects every quirk whose official output is malformed', () => {
      for (const c of casesOf('quirk')) {
        pinNow(c.now);
        const result = generate(c.kind, infoFor(c.kind, c.input));
        if (result.status.code === 0) {
          // The only quirk encoded rather than rejected is a numeric name, which is correct as text.
          expect(c.note).toMatch(/numeric merchantName/);
        }
      }
    });
  });

  describe('decode: same verify answer, never a hang', () => {
    it.each(casesOf('decode').map((c) => [`${c.id} ${c.note}`, c] as const))('%s', (_, c) => {
      pinNow(c.now);
      const answer = BakongKHQR.verify(c.input);
      if (c.verifyHangs) {
        expect(answer).toEqual({ isValid: false });
        expect(BakongKHQR.decode(c.input).status.code).toBe(1);
        return;
      }
      expect(answer).toEqual(c.verify);
      expect(BakongKHQR.decode(c.input)).toEqual(c.decoded);
      if (c.decodedNonKhqr) expect(BakongKHQR.decodeNonKhqr(c.input)).toEqual(c.decodedNonKhqr);
    });
  });
});
