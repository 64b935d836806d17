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

/** The official SDK's cutString: parseInt semantics, slices that may overrun or go backwards. */
function cut(s: string): { tag: string; value: string; rest: string } {
  const length = Number.parseInt(s.slice(2, 4), 10);
  return { tag: s.slice(0, 2), value: s.slice(4, 4 + length), rest: s.slice(4 + length) };
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
  const names = SUB_NAMES[tag] ?? {};
  const data: Record<string, string | null> = { ...SUB_DEFAULTS[tag] };
  let recognised = false;
  let rest = value;
  while (rest) {
    const c = cut(rest);
    if (c.rest.length >= rest.length) return HANG;
    let name = names[c.tag];
    if (name !== undefined) {
      if (merchant && name === 'accountInformation') name = 'merchantID';
      data[name] = c.value;
      recognised = true;
    }
    rest = c.rest;
  }
  return recognised ? data : value;
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
  let rest = qr;
  while (rest) {
    const c = cut(rest);
    if (c.tag === last) break;
    let tag = c.tag;
    // No progress: the next round sees the same tag and stops, unless 30 was renamed 29, where
    // the official loop never ends.
    if (c.rest.length >= rest.length && tag === '30') return HANG;
    if (tag === '30') {
      merchantType = '30';
      sawMerchant = true;
      tag = '29';
    } else if (tag === '29') merchantType = '29';
    if (OFFICIAL_TAGS.includes(tag)) tags.push([tag, c.value]);
    rest = c.rest;
    last = tag;
  }
  return { tags, merchantType, sawMerchant };
}
