import { fail } from './errors.ts';

/** Longest string the decoder accepts: EMVCo caps a merchant-presented payload at 512 characters. */
export const MAX_KHQR_LENGTH = 512;

/** One data object: `[tag, value]`. */
export type TlvEntry = [tag: string, value: string];

/** `ID LL VALUE`, with LL counting UTF-16 code units as the official SDK does. */
export function tlv(tag: string, value: string): string {
  return `${tag}${value.length < 10 ? '0' : ''}${value.length}${value}`;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Splits `s` into data objects. Total: every tag and length must be two digits and every value
 * must fit, so it never loops and never reads past the end.
 * @throws {KhqrError} code 102 (malformed) or 106 (a tag repeated).
 */
export function parseTlv(s: string, where: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < s.length) {
    const t0 = digit(s, i);
    const t1 = digit(s, i + 1);
    const l0 = digit(s, i + 2);
    const l1 = digit(s, i + 3);
    if (t0 < 0 || t1 < 0 || l0 < 0 || l1 < 0) {
      fail(
        102 /* MALFORMED_TLV */,
        `Malformed ${where} at character ${i}: ${JSON.stringify(s.slice(i, i + 4))}.`,
      );
    }
    const tag = s.slice(i, i + 2);
    const end = i + 4 + l0 * 10 + l1;
    if (end > s.length) {
      fail(102 /* MALFORMED_TLV */, `Malformed ${where}: tag ${tag} at character ${i} overruns.`);
    }
    if (out.has(tag)) {
      fail(106 /* DUPLICATE_TAG */, `Tag ${tag} appears twice in the ${where}.`);
    }
    out.set(tag, s.slice(i + 4, end));
    i = end;
  }
  return out;
}
