// A total re-implementation of how bakong-khqr 1.0.20 reads a KHQR (src/controller/decode*.js and
// src/helper/cutString.js): same tag handling, same quirks, except that where the official code
// loops forever (a sub-length that does not parse as a number) this one reports HANG at once.

/** Marks input on which the official SDK never returns. */
export const HANG = Symbol('hang');

/** Top-level tags the official SDK knows, in its KHQRTag order. */
export const OFFICIAL_TAGS = [
  '00',
  '01',
  '15',
  '29',
  '52',
  '53',
  '54',
  '58',
  '59',
  '60',
  '62',
  '64',
  '99',
  '63',
];

/**
 * The official SDK's cutString on `s.slice(i)`, without making that string: the tag, the value,
 * and where the rest starts. parseInt semantics for the length (two digits, the common case, are
 * read directly), and slices that may overrun or go backwards, clamped as `slice` clamps them.
 */
function cut(s: string, i: number): [tag: string, value: string, next: number] {
  const left = s.length - i;
  const d = s.charCodeAt(i + 2) - 48;
  const e = s.charCodeAt(i + 3) - 48;
  const end =
    d >= 0 && d <= 9 && e >= 0 && e <= 9
      ? 4 + 10 * d + e
      : 4 + Number.parseInt(s.slice(i + 2, i + 4), 10);
  // rest.slice(4, end) and rest.slice(end): NaN counts as 0, a negative end from the end.
  const to = Number.isNaN(end) ? 0 : end < 0 ? Math.max(left + end, 0) : Math.min(end, left);
  return [s.slice(i, i + 2), to > 4 ? s.slice(i + 4, i + to) : '', i + to];
}

/** Sub-tag names per template, from the official KHQRSubtag table. */
const SUB_NAMES: Record<string, Record<string, string>> = {
  '29': { '00': 'bakongAccountID', '01': 'accountInformation', '02': 'acquiringBank' },
  '62': {
    '01': 'billNumber',
    '02': 'mobileNumber',
    '03': 'storeLabel',
    '08': 'purposeOfTransaction',
    '07': 'terminalLabel',
  },
  '64': {
    '00': 'languagePreference',
    '01': 'merchantNameAlternateLanguage',
    '02': 'merchantCityAlternateLanguage',
  },
  '99': { '00': 'creationTimestamp', '01': 'expirationTimestamp' },
};

/** Default objects a template's sub-tags are written into (KHQRSubtag.input). */
export const SUB_DEFAULTS: Record<string, Record<string, string | null>> = {
  '29': { bakongAccountID: null, accountInformation: null },
  '30': { bakongAccountID: null, merchantID: null, acquiringBank: null },
  '62': {
    billNumber: null,
    mobileNumber: null,
    storeLabel: null,
    terminalLabel: null,
    purposeOfTransaction: null,
  },
  '64': {
    languagePreference: null,
    merchantNameAlternateLanguage: null,
    merchantCityAlternateLanguage: null,
  },
  '99': { creationTimestamp: null, expirationTimestamp: null },
};

/** Sub-fields of a template as the official SDK reads them: an object when any sub-tag was
 * recognised, the raw string otherwise, or HANG. */
export function subFields(
  tag: string,
  value: string,
  merchant = false,
): Record<string, string | null> | string | typeof HANG {
  const data: Record<string, string | null> = { ...SUB_DEFAULTS[tag] };
  const known = readSubFields(tag, value, merchant, data);
  return known === HANG ? HANG : known ? data : value;
}

/** Writes the recognised sub-fields of a template into `into`; whether there was any, or HANG. */
export function readSubFields(
  tag: string,
  value: string,
  merchant: boolean,
  into: Record<string, string | null>,
): boolean | typeof HANG {
  const names = SUB_NAMES[tag] ?? {};
  let recognised = false;
  for (let i = 0; i < value.length; ) {
    const [sub, field, next] = cut(value, i);
    if (next <= i) return HANG;
    let name = names[sub];
    if (name !== undefined) {
      if (merchant && name === 'accountInformation') name = 'merchantID';
      into[name] = field;
      recognised = true;
    }
    i = next;
  }
  return recognised;
}

/** The top-level walk: known tags only, 30 renamed 29, stopping when a tag repeats at once;
 * HANG where the official walk never ends. */
export function topLevel(
  qr: string,
):
  | { tags: Array<[string, string]>; merchantType: string | null; sawMerchant: boolean }
  | typeof HANG {
  const tags: Array<[string, string]> = [];
  let merchantType: string | null = null;
  let sawMerchant = false;
  let last = '';
  for (let i = 0; i < qr.length; ) {
    let [tag, value, next] = cut(qr, i);
    if (tag === last) break;
    // No progress: the next round sees the same tag and stops, unless 30 was renamed 29, where
    // the official loop never ends.
    if (next <= i && tag === '30') return HANG;
    if (tag === '30') {
      merchantType = '30';
      sawMerchant = true;
      tag = '29';
    } else if (tag === '29') merchantType = '29';
    if (OFFICIAL_TAGS.includes(tag)) tags.push([tag, value]);
    i = next;
    last = tag;
  }
  return { tags, merchantType, sawMerchant };
}
