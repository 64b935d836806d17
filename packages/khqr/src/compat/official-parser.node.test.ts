// The compat reader walks a KHQR by index and writes the decode record at once, where it used to
// slice the rest of the string at every tag and merge default objects. That earlier code, checked
// against the official SDK by the vectors and the differential test, is kept here as the
// reference: on any string, well-formed or not, both give the same answer, hangs included.
import { createRequire } from 'node:module';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casesOf } from '../../test/vectors.ts';
import { HANG, OFFICIAL_TAGS, SUB_DEFAULTS, subFields, topLevel } from './official-parser.ts';
import { officialDecode } from './official-rules.ts';

function cut(s: string): { tag: string; value: string; rest: string } {
  const length = Number.parseInt(s.slice(2, 4), 10);
  return { tag: s.slice(0, 2), value: s.slice(4, 4 + length), rest: s.slice(4 + length) };
}

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

function referenceSubFields(tag: string, value: string, merchant = false) {
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

function referenceTopLevel(qr: string) {
  const tags: Array<[string, string]> = [];
  let merchantType: string | null = null;
  let sawMerchant = false;
  let last = '';
  let rest = qr;
  while (rest) {
    const c = cut(rest);
    if (c.tag === last) break;
    let tag = c.tag;
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

function referenceDecode(qr: string) {
  const top = referenceTopLevel(qr.length > 4096 ? '' : qr);
  if (top === HANG) return HANG;
  const byTag = new Map(top.tags);
  const out: Record<string, string | null> = { merchantType: top.merchantType };
  for (const defaults of Object.values(SUB_DEFAULTS)) Object.assign(out, defaults);
  for (const tag of OFFICIAL_TAGS) {
    const value = byTag.get(tag) ?? null;
    const type = TYPES[tag];
    if (type !== undefined) {
      out[type] = value;
      continue;
    }
    if (value === null) continue;
    const fields = referenceSubFields(tag, value, top.sawMerchant);
    if (fields === HANG) return HANG;
    if (typeof fields === 'object') Object.assign(out, fields);
  }
  return out;
}

/** Strings that look like KHQRs, lengths and tags included, and strings that almost do. */
const tlvish = (() => {
  // parseInt reads all of these differently: digits, signs, white space, letters, nothing.
  const lengthChars = fc.constantFrom(
    ...'0123456789',
    ' ',
    '-',
    '+',
    'a',
    '\t',
    '\u00a0',
    '\ufeff',
  );
  const tag = fc.oneof(
    fc.constantFrom('00', '01', '15', '29', '30', '52', '53', '54', '58', '59', '60', '62', '63'),
    fc.constantFrom('64', '99', '01', '02', '03', '07', '08', '39', '40'),
    fc.string({ unit: lengthChars, minLength: 0, maxLength: 2 }),
  );
  const value = fc.string({
    unit: fc.oneof(fc.constantFrom(...'0123456789'), fc.constantFrom('a', 'ក', ' ', '-')),
    maxLength: 30,
  });
  const element = fc.oneof(
    // Well-formed: the length says the value's length, and the value may itself be TLV.
    value.map((v) => `${String(v.length).padStart(2, '0')}${v}`),
    fc
      .array(fc.tuple(tag, value), { maxLength: 3 })
      .map((subs) => subs.map(([t, v]) => `${t}${String(v.length).padStart(2, '0')}${v}`).join(''))
      .map((v) => `${String(v.length).padStart(2, '0')}${v}`.slice(0, 99)),
    // Whatever the length characters happen to be.
    fc.tuple(fc.string({ unit: lengthChars, maxLength: 2 }), value).map(([l, v]) => l + v),
  );
  return fc
    .array(fc.tuple(tag, element), { maxLength: 14 })
    .map((parts) => parts.map(([t, e]) => t + e).join(''));
})();

describe('the compat reader against its earlier, slicing version', () => {
  it('the same decode record, tag walk and sub-fields on any string, hangs included', () => {
    fc.assert(
      fc.property(fc.oneof(tlvish, fc.string({ maxLength: 60 })), (qr) => {
        expect(officialDecode(qr)).toEqual(referenceDecode(qr));
        expect(topLevel(qr)).toEqual(referenceTopLevel(qr));
        for (const tag of ['29', '62', '64', '99']) {
          expect(subFields(tag, qr, true)).toEqual(referenceSubFields(tag, qr, true));
          expect(subFields(tag, qr)).toEqual(referenceSubFields(tag, qr));
        }
      }),
      { seed: 20261128, numRuns: 20_000 },
    );
  });

  it('every vector: the record equal, key for key and in the same order', () => {
    for (const c of [...casesOf('valid'), ...casesOf('decode')]) {
      const qr = c.group === 'valid' ? c.qr : c.input;
      const ours = officialDecode(qr);
      const reference = referenceDecode(qr);
      expect(ours).toEqual(reference);
      if (ours !== HANG && reference !== HANG) {
        expect(Object.keys(ours)).toEqual(Object.keys(reference));
      }
    }
  });

  it('the official key order, on a QR the official decode reads', () => {
    const official = createRequire(import.meta.url)('bakong-khqr') as {
      BakongKHQR: { decode(qr: string): { data: object } };
    };
    const qr = casesOf('valid')[0]?.qr as string;
    expect(Object.keys(BakongKHQR.decode(qr).data as object)).toEqual(
      Object.keys(official.BakongKHQR.decode(qr).data),
    );
  });
});
