import { bytes, crcOf, digit, hex4, load, view } from './crc16.ts';

// Per-step constants floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines them. Every engine's
// Math.sin is accurate far beyond the 2^-32 this needs; md5.test.ts checks the RFC's digests.
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32);

/**
 * MD5 of the UTF-8 bytes of `s`, as 32 lowercase hex characters: the value Bakong uses to look a
 * KHQR payment up (`check_transaction_by_md5`). Pure JavaScript (the bytes from the standard
 * `TextEncoder`), no Node built-ins.
 * @example khqrMd5('') // 'd41d8cd98f00b204e9800998ecf8427e'
 */
export function khqrMd5(s: string): string {
  return digest(load(s));
}

/**
 * The KHQR of a payload ending in `6304`, and its md5, from one pass over the payload: its bytes
 * give the CRC and are the md5 input, which the CRC's 4 digits then complete.
 * @internal
 */
export function signKhqr(payload: string): { qr: string; md5: string } {
  let n = load(payload);
  const crc = hex4(crcOf(n));
  for (let i = 0; i < 4; i++) bytes[n++] = crc.charCodeAt(i);
  return { qr: payload + crc, md5: digest(n) };
}

// One block's 16 words, and the digest's 32 hex digits: reused, like `bytes`.
const x = new Int32Array(16);
const hexCodes: number[] = new Array(32).fill(0);

/** MD5 of the first `n` bytes of `bytes`. */
function digest(n: number): string {
  // Padding: 0x80, zeros, then the length in bits, little-endian.
  const size = (((n + 8) >>> 6) + 1) << 6;
  bytes[n] = 0x80;
  bytes.fill(0, n + 1, size);
  view.setUint32(size - 8, n << 3, true);
  view.setUint32(size - 4, n >>> 29, true);
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let o = 0; o < size; o += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getInt32(o + 4 * i, true);
    let aa = a;
    let bb = b;
    let cc = c;
    let dd = d;
    let t: number;
    // Four rounds of 16 steps, four steps per iteration so every rotation is a constant.
    for (let i = 0; i < 16; i += 4) {
      t = (aa + ((bb & cc) | (~bb & dd)) + (K[i] as number) + (x[i] as number)) | 0;
      aa = (bb + ((t << 7) | (t >>> 25))) | 0;
      t = (dd + ((aa & bb) | (~aa & cc)) + (K[i + 1] as number) + (x[i + 1] as number)) | 0;
      dd = (aa + ((t << 12) | (t >>> 20))) | 0;
      t = (cc + ((dd & aa) | (~dd & bb)) + (K[i + 2] as number) + (x[i + 2] as number)) | 0;
      cc = (dd + ((t << 17) | (t >>> 15))) | 0;
      t = (bb + ((cc & dd) | (~cc & aa)) + (K[i + 3] as number) + (x[i + 3] as number)) | 0;
      bb = (cc + ((t << 22) | (t >>> 10))) | 0;
    }
    for (let i = 16; i < 32; i += 4) {
      t = (aa + ((dd & bb) | (~dd & cc)) + (K[i] as number) + (x[(5 * i + 1) & 15] as number)) | 0;
      aa = (bb + ((t << 5) | (t >>> 27))) | 0;
      t =
        (dd + ((cc & aa) | (~cc & bb)) + (K[i + 1] as number) + (x[(5 * i + 6) & 15] as number)) |
        0;
      dd = (aa + ((t << 9) | (t >>> 23))) | 0;
      t =
        (cc + ((bb & dd) | (~bb & aa)) + (K[i + 2] as number) + (x[(5 * i + 11) & 15] as number)) |
        0;
      cc = (dd + ((t << 14) | (t >>> 18))) | 0;
      t = (bb + ((aa & cc) | (~aa & dd)) + (K[i + 3] as number) + (x[(5 * i) & 15] as number)) | 0;
      bb = (cc + ((t << 20) | (t >>> 12))) | 0;
    }
    for (let i = 32; i < 48; i += 4) {
      t = (aa + (bb ^ cc ^ dd) + (K[i] as number) + (x[(3 * i + 5) & 15] as number)) | 0;
      aa = (bb + ((t << 4) | (t >>> 28))) | 0;
      t = (dd + (aa ^ bb ^ cc) + (K[i + 1] as number) + (x[(3 * i + 8) & 15] as number)) | 0;
      dd = (aa + ((t << 11) | (t >>> 21))) | 0;
      t = (cc + (dd ^ aa ^ bb) + (K[i + 2] as number) + (x[(3 * i + 11) & 15] as number)) | 0;
      cc = (dd + ((t << 16) | (t >>> 16))) | 0;
      t = (bb + (cc ^ dd ^ aa) + (K[i + 3] as number) + (x[(3 * i + 14) & 15] as number)) | 0;
      bb = (cc + ((t << 23) | (t >>> 9))) | 0;
    }
    for (let i = 48; i < 64; i += 4) {
      t = (aa + (cc ^ (bb | ~dd)) + (K[i] as number) + (x[(7 * i) & 15] as number)) | 0;
      aa = (bb + ((t << 6) | (t >>> 26))) | 0;
      t = (dd + (bb ^ (aa | ~cc)) + (K[i + 1] as number) + (x[(7 * i + 7) & 15] as number)) | 0;
      dd = (aa + ((t << 10) | (t >>> 22))) | 0;
      t = (cc + (aa ^ (dd | ~bb)) + (K[i + 2] as number) + (x[(7 * i + 14) & 15] as number)) | 0;
      cc = (dd + ((t << 15) | (t >>> 17))) | 0;
      t = (bb + (dd ^ (cc | ~aa)) + (K[i + 3] as number) + (x[(7 * i + 21) & 15] as number)) | 0;
      bb = (cc + ((t << 21) | (t >>> 11))) | 0;
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  // Lowercase hex of the 16 bytes, little-endian words, high digit first (s ^ 4).
  let k = 0;
  for (const v of [a, b, c, d])
    for (let s = 0; s < 32; s += 4) hexCodes[k++] = digit((v >>> (s ^ 4)) & 15, 87);
  return String.fromCharCode.apply(null, hexCodes);
}
