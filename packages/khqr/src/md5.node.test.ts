import { createHash } from 'node:crypto';
import { crc16, khqrMd5 } from '@khqr-checkout/khqr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signKhqr } from './md5.ts';

const officialCrc = (await import('bakong-khqr/src/helper/crc16.js')).default as (
  s: string,
) => string;

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** Text mixing ASCII, Khmer (3 UTF-8 bytes), astral characters (4) and lone surrogates. */
const mixed = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { arbitrary: fc.constantFrom(...'0123456789ABCDEFabcdef@. '), weight: 8 },
      { arbitrary: fc.constantFrom(...'កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើ្'), weight: 3 },
      {
        arbitrary: fc.constantFrom('😀', 'é', '\uD800', '\uDC00', '\u0000', '\u07FF', '\uFFFF'),
        weight: 1,
      },
    ),
    maxLength,
  });

describe('md5, UTF-8 and CRC against Node and the official SDK', () => {
  it('khqrMd5 equals node:crypto md5 for any string, at every block boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(khqrMd5(s)).toBe(createHash('md5').update(s, 'utf8').digest('hex'));
      }),
      { seed: 7, numRuns: 5000 },
    );
    for (let n = 0; n < 200; n++) {
      const s = 'ក'.repeat(n % 7) + 'x'.repeat(n);
      expect(khqrMd5(s)).toBe(createHash('md5').update(s, 'utf8').digest('hex'));
    }
  });

  it('hashes the UTF-8 bytes Node encodes, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.string({ unit: fc.constantFrom('\uD800', '\uDC00', 'a'), maxLength: 6 }),
        (a, b) => {
          expect(khqrMd5(a + b)).toBe(md5(a + b));
          expect(crc16(a + b)).toBe(officialCrc(a + b));
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
  });

  it('khqrMd5 of multi-block strings, ASCII or not, long or short in turn, equals node:crypto', () => {
    // Up to 9,000 bytes: past the 1,024-byte buffer the hashes share, which then grows.
    fc.assert(
      fc.property(fc.array(mixed(3000), { maxLength: 4 }), (strings) => {
        for (const s of strings) expect(khqrMd5(s)).toBe(md5(s));
      }),
      { seed: 11, numRuns: 400 },
    );
    for (const n of [1023, 1024, 1025, 4096, 20_000]) {
      const s = 'x'.repeat(n);
      expect(khqrMd5(s)).toBe(md5(s));
      expect(khqrMd5(`ក${s}`)).toBe(md5(`ក${s}`));
      expect(crc16(s)).toBe(officialCrc(s));
    }
  });

  it('signKhqr appends the CRC and hashes the whole QR, at every length modulo the block', () => {
    // The payload plus its 4 CRC digits ends at each of the 64 positions of a block, so the
    // digits straddle block boundaries and the padding falls everywhere.
    for (let n = 0; n < 130; n++) {
      for (const filler of ['x', 'ក']) {
        const payload = `00020101021129190015sok_coffee@aclb${filler.repeat(n)}6304`;
        const { qr, md5: hash } = signKhqr(payload);
        expect(qr).toBe(payload + officialCrc(payload));
        expect(hash).toBe(md5(qr));
        // Another hash in between uses the shared buffer; the next QR is unaffected.
        expect(khqrMd5(payload.repeat(3))).toBe(md5(payload.repeat(3)));
      }
    }
    fc.assert(
      fc.property(mixed(400), (body) => {
        const payload = `${body}6304`;
        const { qr, md5: hash } = signKhqr(payload);
        expect(qr).toBe(payload + officialCrc(payload));
        expect(hash).toBe(md5(qr));
      }),
      { seed: 13, numRuns: 2000 },
    );
  });

  it('crc16 equals the official table-driven CRC', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(crc16(s)).toBe(officialCrc(s));
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});
