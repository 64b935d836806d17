import type { KhqrInput } from '@khqr-checkout/khqr';
import fc from 'fast-check';

const LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-#&'";
const KHMER = 'កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅំះ្';

/** Text of Latin and Khmer characters (no astral characters: those are refused by design). */
export const text = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...LATIN, ...KHMER), minLength, maxLength });

/** Text that never starts or consists of only nothing. */
const nonEmpty = (max: number) => text(1, max);

/** A Bakong account ID, `name@bank`, at most 32 characters. */
export const accountId = fc
  .tuple(fc.stringMatching(/^[a-z0-9_.]{1,20}$/), fc.stringMatching(/^[a-z]{2,8}$/))
  .map(([name, bank]) => `${name}@${bank}`);

/** An amount valid for the currency, as a number or a decimal string. */
export const amountFor = (currency: 'KHR' | 'USD') =>
  currency === 'KHR'
    ? fc.oneof(
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.integer({ min: 1, max: 999_999_999 }).map(String),
      )
    : fc
        .integer({ min: 1, max: 99_999_999 })
        .chain((cents) =>
          fc.constantFrom(cents / 100, (cents / 100).toFixed(2), String(Math.ceil(cents / 100))),
        );

/** Any valid modern input: individual or merchant, static or dynamic, every optional field. */
export const validInput: fc.Arbitrary<KhqrInput> = fc
  .record(
    {
      bakongAccountId: accountId,
      merchantName: nonEmpty(25),
      merchantCity: nonEmpty(15),
      merchant: fc.option(
        fc.record({
          merchantId: fc.stringMatching(/^[0-9A-Z]{1,20}$/),
          acquiringBank: nonEmpty(20),
        }),
      ),
      individualExtras: fc.record(
        { accountInformation: nonEmpty(20), acquiringBank: nonEmpty(20) },
        { requiredKeys: [] },
      ),
      currency: fc.constantFrom<'KHR' | 'USD'>('KHR', 'USD'),
      dynamic: fc.boolean(),
      lifetime: fc.integer({ min: 1, max: 600 }),
      billNumber: nonEmpty(15),
      mobileNumber: fc.stringMatching(/^[0-9]{6,15}$/),
      storeLabel: nonEmpty(15),
      terminalLabel: nonEmpty(15),
      purpose: nonEmpty(15),
      alternateLanguage: fc.record(
        {
          language: fc.constantFrom('km', 'zh', 'en'),
          merchantName: nonEmpty(25),
          merchantCity: nonEmpty(15),
        },
        { requiredKeys: ['language', 'merchantName'] },
      ),
      merchantCategoryCode: fc.stringMatching(/^[0-9]{4}$/),
      now: fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
    },
    {
      requiredKeys: [
        'bakongAccountId',
        'merchantName',
        'currency',
        'dynamic',
        'lifetime',
        'now',
        'individualExtras',
        'merchant',
      ],
    },
  )
  .chain(({ merchant, individualExtras, dynamic, lifetime, ...rest }) =>
    amountFor(rest.currency).map((amount): KhqrInput => {
      const out: KhqrInput = { ...rest, ...(merchant ?? individualExtras) };
      return dynamic ? { ...out, amount, lifetime } : out;
    }),
  );
