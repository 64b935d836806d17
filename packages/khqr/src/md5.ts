import { utf8 } from './utf8.ts';

// Per-step constants floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines them. Every engine's
// Math.sin is accurate far beyond the 2^-32 this needs; md5.test.ts checks the RFC's digests.
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32);
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i | 0x100).toString(16).slice(1));
// Reused between calls: a KHQR is a few hundred bytes, and allocating per call costs more than the
// hashing. Grown when a longer string comes along.
let words = new Int32Array(16 * 8);

/** Writes the padded message into `words` and returns its length in words. */
function load(bytes: Uint8Array): number {
  const n = bytes.length;
  const size = (((n + 8) >>> 6) + 1) << 4;
  if (words.length < size) words = new Int32Array(size);
  const w = words;
  w.fill(0, 0, size);
  for (let i = 0; i < n; i++) {
    w[i >> 2] = (w[i >> 2] as number) | ((bytes[i] as number) << ((i & 3) << 3));
  }
  w[n >> 2] = (w[n >> 2] as number) | (0x80 << ((n & 3) << 3));
  w[size - 2] = n << 3;
  w[size - 1] = n >>> 29;
  return size;
}

/** Loads an ASCII string, or returns -1 at the first other character. */
function loadAscii(s: string): number {
  const n = s.length;
  const size = (((n + 8) >>> 6) + 1) << 4;
  if (words.length < size) words = new Int32Array(size);
  const w = words;
  w.fill(0, (n >> 2) + 1, size);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    if ((a | b | c | d) > 0x7f) return -1;
    w[i >> 2] = a | (b << 8) | (c << 16) | (d << 24);
  }
  let last = 0x80 << ((n & 3) << 3);
  for (let k = n - 1; k >= i; k--) {
    const c = s.charCodeAt(k);
    if (c > 0x7f) return -1;
    last |= c << ((k & 3) << 3);
  }
  w[n >> 2] = last;
  w[size - 2] = n << 3;
  w[size - 1] = n >>> 29;
  return size;
}

/**
 * MD5 of the UTF-8 bytes of `s`, as 32 lowercase hex characters: the value Bakong uses to look a
 * KHQR payment up (`check_transaction_by_md5`). Pure JavaScript, no Node built-ins.
 * @example khqrMd5('') // 'd41d8cd98f00b204e9800998ecf8427e'
 */
export function khqrMd5(s: string): string {
  // ASCII is its own UTF-8: most QRs are hashed straight from the string.
  let size = loadAscii(s);
  if (size < 0) size = load(utf8(s));
  const w = words;
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let o = 0; o < size; o += 16) {
    let aa = a;
    let bb = b;
    let cc = c;
    let dd = d;
    let t: number;
    // Four rounds of 16 steps, four steps per iteration so every rotation is a constant.
    for (let i = 0; i < 16; i += 4) {
      t = (aa + ((bb & cc) | (~bb & dd)) + (K[i] as number) + (w[o + i] as number)) | 0;
      aa = (bb + ((t << 7) | (t >>> 25))) | 0;
      t = (dd + ((aa & bb) | (~aa & cc)) + (K[i + 1] as number) + (w[o + i + 1] as number)) | 0;
      dd = (aa + ((t << 12) | (t >>> 20))) | 0;
      t = (cc + ((dd & aa) | (~dd & bb)) + (K[i + 2] as number) + (w[o + i + 2] as number)) | 0;
      cc = (dd + ((t << 17) | (t >>> 15))) | 0;
      t = (bb + ((cc & dd) | (~cc & aa)) + (K[i + 3] as number) + (w[o + i + 3] as number)) | 0;
      bb = (cc + ((t << 22) | (t >>> 10))) | 0;
    }
    for (let i = 16; i < 32; i += 4) {
      t =
        (aa + ((dd & bb) | (~dd & cc)) + (K[i] as number) + (w[o + ((5 * i + 1) & 15)] as number)) |
        0;
      aa = (bb + ((t << 5) | (t >>> 27))) | 0;
      t =
        (dd +
          ((cc & aa) | (~cc & bb)) +
          (K[i + 1] as number) +
          (w[o + ((5 * i + 6) & 15)] as number)) |
        0;
      dd = (aa + ((t << 9) | (t >>> 23))) | 0;
      t =
        (cc +
          ((bb & dd) | (~bb & aa)) +
          (K[i + 2] as number) +
          (w[o + ((5 * i + 11) & 15)] as number)) |
        0;
      cc = (dd + ((t << 14) | (t >>> 18))) | 0;
      t =
        (bb + ((aa & cc) | (~aa & dd)) + (K[i + 3] as number) + (w[o + ((5 * i) & 15)] as number)) |
        0;
      bb = (cc + ((t << 20) | (t >>> 12))) | 0;
    }
    for (let i = 32; i < 48; i += 4) {
      t = (aa + (bb ^ cc ^ dd) + (K[i] as number) + (w[o + ((3 * i + 5) & 15)] as number)) | 0;
      aa = (bb + ((t << 4) | (t >>> 28))) | 0;
      t = (dd + (aa ^ bb ^ cc) + (K[i + 1] as number) + (w[o + ((3 * i + 8) & 15)] as number)) | 0;
      dd = (aa + ((t << 11) | (t >>> 21))) | 0;
      t = (cc + (dd ^ aa ^ bb) + (K[i + 2] as number) + (w[o + ((3 * i + 11) & 15)] as number)) | 0;
      cc = (dd + ((t << 16) | (t >>> 16))) | 0;
      t = (bb + (cc ^ dd ^ aa) + (K[i + 3] as number) + (w[o + ((3 * i + 14) & 15)] as number)) | 0;
      bb = (cc + ((t << 23) | (t >>> 9))) | 0;
    }
    for (let i = 48; i < 64; i += 4) {
      t = (aa + (cc ^ (bb | ~dd)) + (K[i] as number) + (w[o + ((7 * i) & 15)] as number)) | 0;
      aa = (bb + ((t << 6) | (t >>> 26))) | 0;
      t =
        (dd + (bb ^ (aa | ~cc)) + (K[i + 1] as number) + (w[o + ((7 * i + 7) & 15)] as number)) | 0;
      dd = (aa + ((t << 10) | (t >>> 22))) | 0;
      t =
        (cc + (aa ^ (dd | ~bb)) + (K[i + 2] as number) + (w[o + ((7 * i + 14) & 15)] as number)) |
        0;
      cc = (dd + ((t << 15) | (t >>> 17))) | 0;
      t =
        (bb + (dd ^ (cc | ~aa)) + (K[i + 3] as number) + (w[o + ((7 * i + 21) & 15)] as number)) |
        0;
      bb = (cc + ((t << 21) | (t >>> 11))) | 0;
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  let out = '';
  for (const x of [a, b, c, d]) {
    out += `${HEX[x & 255]}${HEX[(x >>> 8) & 255]}${HEX[(x >>> 16) & 255]}${HEX[x >>> 24]}`;
  }
  return out;
}
