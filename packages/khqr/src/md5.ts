import { utf8 } from './utf8.ts';

// Per-round constants floor(abs(sin(i + 1)) * 2^32), written out so no engine's Math.sin can differ.
const K = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i | 0x100).toString(16).slice(1));

/**
 * MD5 of the UTF-8 bytes of `s`, as 32 lowercase hex characters: the value Bakong uses to look a
 * KHQR payment up (`check_transaction_by_md5`). Pure JavaScript, no Node built-ins.
 * @example khqrMd5('') // 'd41d8cd98f00b204e9800998ecf8427e'
 */
export function khqrMd5(s: string): string {
  const bytes = utf8(s);
  const len = bytes.length;
  const words = new Int32Array((((len + 8) >>> 6) + 1) << 4);
  for (let i = 0; i < len; i++) {
    words[i >> 2] = (words[i >> 2] as number) | ((bytes[i] as number) << ((i & 3) << 3));
  }
  words[len >> 2] = (words[len >> 2] as number) | (0x80 << ((len & 3) << 3));
  words[words.length - 2] = len << 3;
  words[words.length - 1] = len >>> 29;
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let off = 0; off < words.length; off += 16) {
    let aa = a;
    let bb = b;
    let cc = c;
    let dd = d;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (bb & cc) | (~bb & dd);
        g = i;
      } else if (i < 32) {
        f = (dd & bb) | (~dd & cc);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = bb ^ cc ^ dd;
        g = (3 * i + 5) & 15;
      } else {
        f = cc ^ (bb | ~dd);
        g = (7 * i) & 15;
      }
      const x = (aa + f + (K[i] as number) + (words[off + g] as number)) | 0;
      const r = S[((i >> 4) << 2) | (i & 3)] as number;
      aa = dd;
      dd = cc;
      cc = bb;
      bb = (bb + ((x << r) | (x >>> (32 - r)))) | 0;
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  let out = '';
  for (const w of [a, b, c, d]) {
    out += `${HEX[w & 255]}${HEX[(w >>> 8) & 255]}${HEX[(w >>> 16) & 255]}${HEX[w >>> 24]}`;
  }
  return out;
}
