import { utf8 } from './utf8.ts';

// Per-round constants floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines them. Every engine's
// Math.sin is accurate far beyond the 2^-32 this needs; md5.test.ts checks the RFC's digests.
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32);
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
