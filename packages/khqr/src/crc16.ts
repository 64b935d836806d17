import { utf8 } from './utf8.ts';

// Slicing-by-4 tables: T[k][v] is the CRC state after byte v followed by k zero bytes, so four
// bytes fold into the state with four independent look-ups instead of a chain of four.
const T = [0, 1, 2, 3].map(() => new Uint16Array(256)) as [
  Uint16Array,
  Uint16Array,
  Uint16Array,
  Uint16Array,
];
for (let v = 0; v < 256; v++) {
  let c = v << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  T[0][v] = c;
}
for (let k = 1; k < 4; k++) {
  const prev = T[k - 1] as Uint16Array;
  for (let v = 0; v < 256; v++) {
    const p = prev[v] as number;
    (T[k] as Uint16Array)[v] = ((p & 0xff) << 8) ^ (T[0][p >> 8] as number);
  }
}

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the UTF-8 bytes of `s`, as 4 uppercase hex
 * digits: the KHQR tag 63 value. `s` must include the literal `6304`.
 * @example crc16('123456789') // '29B1'
 */
export function crc16(s: string): string {
  const [t0, t1, t2, t3] = T;
  const n = s.length;
  let crc = 0xffff;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    // ASCII is its own UTF-8; anything else is hashed from its encoded bytes instead.
    if ((a | b | c | d) > 0x7f) return crcBytes(utf8(s));
    crc =
      (t3[(crc >> 8) ^ a] as number) ^
      (t2[(crc & 0xff) ^ b] as number) ^
      (t1[c] as number) ^
      (t0[d] as number);
  }
  for (; i < n; i++) {
    const a = s.charCodeAt(i);
    if (a > 0x7f) return crcBytes(utf8(s));
    crc = ((crc << 8) & 0xffff) ^ (t0[(crc >> 8) ^ a] as number);
  }
  return hex4(crc);
}

function crcBytes(bytes: Uint8Array): string {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ (T[0][(crc >> 8) ^ (bytes[i] as number)] as number);
  }
  return hex4(crc);
}

const hex4 = (crc: number): string => (crc | 0x10000).toString(16).slice(1).toUpperCase();
