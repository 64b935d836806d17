// Slicing by 4: T[256k + v] is the CRC state after byte v then k zero bytes, from a zero state, so
// four bytes fold into the state with four independent look-ups instead of a chain of four.
const T = new Uint16Array(1024);
for (let v = 0; v < 1024; v++) {
  let c = v < 256 ? v << 8 : (T[v - 256] as number);
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  T[v] = c;
}

const encoder = new TextEncoder();

/**
 * The message CRC and md5 read: UTF-8 bytes. Shared and reused, since allocating per call costs
 * more than hashing a KHQR's few hundred bytes; grown for longer strings.
 * @internal
 */
export let bytes = new Uint8Array(1024);
/** A view of `bytes`, for md5's little-endian words. @internal */
export let view = new DataView(bytes.buffer);

/**
 * Writes the UTF-8 bytes of `s` into `bytes` (a lone surrogate becomes U+FFFD, as everywhere) and
 * returns how many, leaving room after them for the 4 CRC digits and md5's padding (≤ 72 bytes).
 * One native call: the engine reads the string where it lies, faster than a loop of `charCodeAt`
 * in Node, and it also spares a loop for Khmer text.
 * @internal
 */
export function load(s: string): number {
  if (bytes.length < 3 * s.length + 80) {
    bytes = new Uint8Array(6 * s.length + 80);
    view = new DataView(bytes.buffer);
  }
  return encoder.encodeInto(s, bytes).written as number;
}

/** The CRC-16 state of the first `n` bytes of `bytes`. @internal */
export function crcOf(n: number): number {
  const b = bytes;
  let crc = 0xffff;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    crc =
      (T[768 + ((crc >> 8) ^ (b[i] as number))] as number) ^
      (T[512 + ((crc & 255) ^ (b[i + 1] as number))] as number) ^
      (T[256 + (b[i + 2] as number)] as number) ^
      (T[b[i + 3] as number] as number);
  }
  for (; i < n; i++) crc = ((crc << 8) & 0xffff) ^ (T[(crc >> 8) ^ (b[i] as number)] as number);
  return crc;
}

/** The character code of hex digit `d`, uppercase when `letter` is 55, lowercase when 87. @internal */
export const digit = (d: number, letter = 55): number => d + (d < 10 ? 48 : letter);

/** A CRC state as the 4 uppercase hex digits of tag 63. @internal */
export const hex4 = (crc: number): string =>
  String.fromCharCode(
    digit(crc >> 12),
    digit((crc >> 8) & 15),
    digit((crc >> 4) & 15),
    digit(crc & 15),
  );

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the UTF-8 bytes of `s`, as 4 uppercase hex
 * digits: the KHQR tag 63 value. `s` must include the literal `6304`.
 * @example crc16('123456789') // '29B1'
 */
export function crc16(s: string): string {
  return hex4(crcOf(load(s)));
}
