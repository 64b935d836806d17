import { crc16 } from '../crc16.ts';
import { HANG, readSubFields, subFields, topLevel } from './official-parser.ts';

/** Longest string the compat functions read; longer input is answered as invalid at once. */
const MAX_INPUT = 4096;

const TYPES: Record<string, string> = {
  '00': 'payloadFormatIndicator',
  '01': 'pointofInitiationMethod',
  '15': 'unionPayMerchant',
  '52': 'merchantCategoryCode',
  '53': 'transactionCurrency',
  '54': 'transactionAmount',
  '58': 'countryCode',
  '59': 'merchantName',
  '60': 'merchantCity',
  '63': 'crc',
};

/** The official `decode` output; `HANG` where the official SDK never returns. */
export function officialDecode(qr: string): Record<string, string | null> | typeof HANG {
  const top = topLevel(qr.length > MAX_INPUT ? '' : qr);
  if (top === HANG) return HANG;
  // Every key, null when absent, in the official order (its template defaults, then its tags),
  // built at once rather than merged from the default objects.
  const out: Record<string, string | null> = {
    merchantType: top.merchantType,
    bakongAccountID: null,
    accountInformation: null,
    merchantID: null,
    acquiringBank: null,
    billNumber: null,
    mobileNumber: null,
    storeLabel: null,
    terminalLabel: null,
    purposeOfTransaction: null,
    languagePreference: null,
    merchantNameAlternateLanguage: null,
    merchantCityAlternateLanguage: null,
    creationTimestamp: null,
    expirationTimestamp: null,
    payloadFormatIndicator: null,
    pointofInitiationMethod: null,
    unionPayMerchant: null,
    merchantCategoryCode: null,
    transactionCurrency: null,
    transactionAmount: null,
    countryCode: null,
    merchantName: null,
    merchantCity: null,
    crc: null,
  };
  // The last value of a repeated tag wins; a template is read once, from that value.
  const templates = new Map<string, string>();
  for (const [tag, value] of top.tags) {
    const type = TYPES[tag];
    if (type === undefined) templates.set(tag, value);
    else out[type] = value;
  }
  for (const [tag, value] of templates) {
    // A template none of whose sub-tags is known the official SDK spreads into the result as
    // "0", "1", … keys; that is a bug, so such a template adds nothing here.
    if (readSubFields(tag, value, top.sawMerchant, out) === HANG) return HANG;
  }
  return out;
}

const isEmpty = (v: unknown): boolean => v === '' || v === null || v === undefined;

/** Checks one template's or tag's value the way the official TagLengthString subclasses do. */
function checkTag(tag: string, value: string, poi: string | null, now: number): boolean {
  switch (tag) {
    case '00':
      return !isEmpty(value) && value.length <= 2;
    case '01':
      return value.length <= 2 && (value === '11' || value === '12');
    case '15':
      return value.length <= 99;
    case '52':
      return !isEmpty(value) && value.length <= 4 && /^\d+$/.test(value);
    case '53':
      return (
        !isEmpty(value) && value.length <= 3 && [116, 840].includes(Number.parseInt(value, 10))
      );
    case '54':
      return value.length <= 13 && !value.includes('-') && value !== '';
    case '58':
      return !isEmpty(value) && value.length <= 3;
    case '59':
      return !isEmpty(value) && value.length <= 25;
    case '60':
      return !isEmpty(value) && value.length <= 15;
    case '63':
      return !isEmpty(value) && value.length <= 4;
  }
  const fields = subFields(tag, value);
  if (fields === HANG) return false;
  const d: Record<string, string | null | undefined> = typeof fields === 'string' ? {} : fields;
  const fits = (v: string | null | undefined, max: number) =>
    v === null || v === undefined || (v !== '' && v.length <= max);
  switch (tag) {
    case '29': {
      const id = d.bakongAccountID;
      if (isEmpty(id) || (id as string).length > 32 || (id as string).split('@').length < 2)
        return false;
      // AccountInformation has no empty check in the official SDK; AcquiringBank has.
      const info = d.accountInformation;
      return (
        (info === null || info === undefined || info.length <= 32) && fits(d.acquiringBank, 32)
      );
    }
    case '62':
      return (
        fits(d.billNumber, 25) &&
        fits(d.mobileNumber, 25) &&
        fits(d.storeLabel, 25) &&
        fits(d.terminalLabel, 25) &&
        fits(d.purposeOfTransaction, 25)
      );
    case '64': {
      const pref = d.languagePreference;
      const name = d.merchantNameAlternateLanguage;
      if (pref && !name) return false;
      if (name !== null && name !== undefined) {
        if (pref === null || pref === undefined || !fits(pref, 2) || !fits(name, 25)) return false;
      }
      return fits(d.merchantCityAlternateLanguage, 15);
    }
    default: {
      // '99': the official TimeStamp checks apply only when tag 01 = 12 was seen before it.
      if (poi !== '12') return true;
      const created = Number(d.creationTimestamp);
      const expires = Number(d.expirationTimestamp);
      return (
        Boolean(expires) &&
        String(expires).length === 13 &&
        !(expires < created) &&
        !(expires < now)
      );
    }
  }
}

/** The official `verify` answer, without its hang. */
export function officialVerify(qr: unknown, now: number): boolean {
  if (typeof qr !== 'string' || qr.length > MAX_INPUT || !/6304[A-Fa-f0-9]{4}$/.test(qr))
    return false;
  if (crc16(qr.slice(0, -4)) !== qr.slice(-4).toUpperCase() || qr.length < 12) return false;
  const top = topLevel(qr);
  if (top === HANG) return false;
  const { tags } = top;
  const has = (t: string) => tags.some(([tag]) => tag === t);
  if (tags.some(([t, v]) => t === '01' && v === '12') && !(has('54') && has('99'))) return false;
  if (has('54') && !has('99')) return false;
  for (const required of ['00', '29', '52', '53', '58', '59', '60', '63']) {
    if (!has(required)) return false;
  }
  let poi: string | null = null;
  for (const [tag, value] of tags) {
    if (tag === '01') poi = value;
    if (!checkTag(tag, value, poi, now)) return false;
  }
  return true;
}

type NonKhqr = Record<string, string | Record<string, string | Record<string, string>>>;

function extract(s: string): { tag: string; length: number; value: string; rest: string } {
  const length = Number.parseInt(s.slice(2, 4), 10);
  return { tag: s.slice(0, 2), length, value: s.slice(4, 4 + length), rest: s.slice(4 + length) };
}

const validTlv = (t: { tag: string; length: number; value: string }) =>
  /^\d+$/.test(t.tag) && t.length === t.value.length;

/** The official `decodeNonKhqr`: a generic two- (three- for tag 62) level EMV reader. */
export function officialDecodeNonKhqr(qr: string): NonKhqr {
  const first: Record<string, string> = {};
  let rest = qr.length > MAX_INPUT ? '' : qr;
  do {
    const t = extract(rest);
    if (!validTlv(t)) break;
    first[t.tag] = t.value;
    rest = t.rest;
  } while (rest);
  const out: NonKhqr = {};
  for (const tag in first) {
    let value = first[tag] as string;
    out[tag] = value;
    const n = Number(tag);
    if (!(n >= 26 && n <= 51) && !(n >= 80 && n <= 99) && tag !== '64' && tag !== '62') continue;
    if (value.length < 6) continue;
    const second: Record<string, string | Record<string, string>> = {};
    // Shared across sub-tags, as in the official code.
    const third: Record<string, string> = {};
    do {
      const t = extract(value);
      if (!validTlv(t)) break;
      value = t.rest;
      const sub = Number(t.tag);
      if (tag === '62' && sub >= 50 && sub <= 99) {
        let inner = t.value;
        do {
          const u = extract(inner);
          if (!validTlv(u)) break;
          third[u.tag] = u.value;
          inner = u.rest;
        } while (inner);
      }
      second[t.tag] = Object.keys(third).length > 0 ? third : t.value;
    } while (value);
    if (Object.keys(second).length > 0) out[tag] = second;
  }
  return out;
}
