import { crc16, khqrMd5 } from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';
import { utf8 } from './utf8.ts';

describe('khqrMd5', () => {
  // RFC 1321, appendix A.5.
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      'd174ab98d277d9f5a5611c2c9f419d9f',
    ],
    ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
  ])('matches RFC 1321 for %j', (input, digest) => {
    expect(khqrMd5(input)).toBe(digest);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // The Khmer vector from the official SDK: ចន ស្មីន as UTF-8.
    expect(utf8('ចន')).toEqual(new Uint8Array([0xe1, 0x9e, 0x85, 0xe1, 0x9e, 0x93]));
    expect(utf8('😀')).toEqual(new Uint8Array([0xf0, 0x9f, 0x98, 0x80]));
    expect(utf8('\uD800x')).toEqual(new Uint8Array([0xef, 0xbf, 0xbd, 0x78]));
    expect(utf8('é')).toEqual(new Uint8Array([0xc3, 0xa9]));
  });
});

describe('crc16', () => {
  it('is CRC-16/CCITT-FALSE', () => {
    expect(crc16('123456789')).toBe('29B1');
    expect(crc16('')).toBe('FFFF');
  });

  it('pads to 4 hex digits', () => {
    // Found by search: a payload whose CRC is below 0x1000 (ts-khqr drops the zero here).
    const body = '00020101021129190015john_smith@devb5204599953031165802KH5906N125106002PP6304';
    expect(crc16(body)).toBe('0007');
  });
});
