import { crc16, khqrMd5 } from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';

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
    // The Khmer vector from the official SDK, an astral character, a lone surrogate (hashed as
    // U+FFFD, as TextEncoder and Node encode it) and a 2-byte character; digests from node:crypto.
    expect(khqrMd5('ចន ស្មីន')).toBe('1bd976af50c043e32e2ae31c5763483a');
    expect(khqrMd5('😀')).toBe('2a02eac39d716a70ecf37579185927b6');
    expect(khqrMd5('\uD800x')).toBe('e240e5e976deb550ea69ec12f01d19ea');
    expect(khqrMd5('é')).toBe('66ddcd97cfdeabb2f6fb8a999b4bc76f');
  });

  it('pads at the block boundaries and hashes long strings', () => {
    // 55 bytes fit one block with the length, 56 need a second; 64 fill one exactly.
    expect(khqrMd5('x'.repeat(55))).toBe('04364420e25c512fd958a70738aa8f72');
    expect(khqrMd5('x'.repeat(56))).toBe('668a72d5ba17f08e62dabcafad6db14b');
    expect(khqrMd5('x'.repeat(64))).toBe('c1bb4f81d892b2d57947682aeb252456');
    expect(khqrMd5(`${'ក'.repeat(30)}${'x'.repeat(70)}`)).toBe('e558655e0ba8364c8a32bcad893d5aba');
    // 6,000 bytes: longer than the shared buffer, which grows; then a short string again.
    expect(khqrMd5('ក'.repeat(2000))).toBe('1cee0f203fb1e782d849ae90c3b94b4c');
    expect(khqrMd5('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
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
