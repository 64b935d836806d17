import { createHash } from 'node:crypto';
import { crc16, khqrMd5 } from '@khqr-checkout/khqr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from './utf8.ts';

const officialCrc = (await import('bakong-khqr/src/helper/crc16.js')).default as (
  s: string,
) => string;

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

  it('utf8 equals Buffer.from for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.string({ unit: fc.constantFrom('\uD800', '\uDC00', 'a'), maxLength: 6 }),
        (a, b) => {
          expect(Buffer.from(utf8(a + b))).toEqual(Buffer.from(a + b));
        },
      ),
      { seed: 7, numRuns: 3000 },
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
