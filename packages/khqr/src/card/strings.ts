import type { SessionProblem } from '../session/checkout-session.ts';
import { problemText } from '../session/problem.ts';

/** The languages of the card: Khmer first, English. */
export type CardLang = 'km' | 'en';

/** Every user-facing string of the card, shared by the element and the React component. */
export interface CardStrings {
  scan: string;
  expiresIn: string;
  waiting: string;
  reconnecting: string;
  /** Bakong cannot be asked for now: the shop's server confirms the payment later. */
  delayed: string;
  lastChecks: string;
  paid: string;
  failed: string;
  expired: string;
  newQr: string;
  /** "New QR" asked the merchant's server and got no QR. */
  renewFailed: string;
  /** The receipt's labels: when it was paid, and the payment's reference. */
  paidOn: string;
  reference: string;
  download: string;
  openInApp: string;
  checkNow: string;
  invalid: string;
  /**
   * A misconfiguration or a payment server that never answered, for the developer: the cause in
   * one line under the card (the console has the fix).
   */
  problem(p: SessionProblem): string;
  /** The QR's accessible name. */
  qrLabel(merchant: string, amount: string): string;
  /** Spoken with the time left, for screen readers. */
  timeLeft(minutes: number, seconds: number): string;
}

export const STRINGS: Record<CardLang, CardStrings> = {
  km: {
    scan: 'ស្កេនដោយកម្មវិធីធនាគារណាមួយដែលគាំទ្រ KHQR',
    expiresIn: 'ផុតកំណត់ក្នុងរយៈពេល',
    waiting: 'កំពុងរង់ចាំការទូទាត់',
    reconnecting: 'កំពុងភ្ជាប់ឡើងវិញ…',
    delayed: 'កំពុងបញ្ជាក់ការទូទាត់។ ការបញ្ជាទិញនឹងត្រូវបានបញ្ជាក់ ទោះបីអ្នកបិទទំព័រនេះក៏ដោយ។',
    lastChecks: 'កំពុងពិនិត្យការទូទាត់ចុងក្រោយ…',
    paid: 'បានទូទាត់រួចរាល់',
    failed: 'ការទូទាត់បរាជ័យ',
    expired: 'QR នេះផុតកំណត់ហើយ',
    newQr: 'បង្កើត QR ថ្មី',
    renewFailed: 'មិនអាចបង្កើត QR ថ្មីបានទេ។ សូមព្យាយាមម្តងទៀត។',
    paidOn: 'បានបង់នៅ',
    reference: 'លេខយោង',
    download: 'ទាញយក QR',
    openInApp: 'បើកក្នុងកម្មវិធីធនាគារ',
    checkNow: 'ខ្ញុំបានបង់ហើយ ពិនិត្យឥឡូវនេះ',
    invalid: 'មិនអាចបង្ហាញការទូទាត់នេះបានទេ',
    // NEEDS NATIVE REVIEW: machine-drafted Khmer (for the developer more than the customer);
    // "origin" and "endpoint" stay in Latin letters, as the code and the console name them.
    problem: (p) =>
      p.kind === 'origin_not_allowed'
        ? `ម៉ាស៊ីនមេទូទាត់មិនអនុញ្ញាតប្រភពដើម (origin) របស់ទំព័រនេះ (${p.origin}) ទេ។`
        : p.kind === 'endpoint_not_found'
          ? `គ្មានម៉ាស៊ីនមេទូទាត់នៅ ${p.endpoint} (${p.status}) ទេ។ សូមពិនិត្យ endpoint។`
          : `មិនអាចភ្ជាប់ម៉ាស៊ីនមេទូទាត់នៅ ${p.endpoint} បានទេ។ កំពុងព្យាយាមម្តងទៀត…`,
    qrLabel: (merchant, amount) => `កូដ KHQR សម្រាប់បង់ ${amount} ទៅ ${merchant}`,
    timeLeft: (m, s) => `នៅសល់ ${m} នាទី ${s} វិនាទី`,
  },
  en: {
    scan: 'Scan with any KHQR bank app',
    expiresIn: 'Expires in',
    waiting: 'Waiting for payment',
    reconnecting: 'Reconnecting…',
    delayed: 'Confirming your payment. Your order will be confirmed even if you close this page.',
    lastChecks: 'Checking for a last-second payment…',
    paid: 'Paid',
    failed: 'Payment failed',
    expired: 'This QR has expired',
    newQr: 'New QR',
    renewFailed: 'Could not get a new QR. Please try again.',
    paidOn: 'Paid on',
    reference: 'Reference',
    download: 'Download QR',
    openInApp: 'Open in bank app',
    checkNow: "I've paid, check now",
    invalid: 'This payment cannot be shown',
    problem: problemText,
    qrLabel: (merchant, amount) => `KHQR code to pay ${amount} to ${merchant}`,
    timeLeft: (m, s) => `${m} minutes ${s} seconds left`,
  },
};

/** The strings of `lang`, Khmer when it is anything else. */
export const stringsFor = (lang: string | null | undefined): CardStrings =>
  STRINGS[lang === 'en' ? 'en' : 'km'];
