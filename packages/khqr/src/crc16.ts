import { utf8 } from './utf8.ts';

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  TABLE[i] = c;
}

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the UTF-8 bytes of `s`, as 4 uppercase hex
 * digits: the KHQR tag 63 value. `s` must include the literal `6304`.
 * @example crc16('123456789') // '29B1'
 */
export function crc16(s: string): string {
  const bytes = utf8(s);
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  }
  return (crc | 0x10000).toString(16).slice(1).toUpperCase();
}
