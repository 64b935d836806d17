export { BUTTON, CARD_CSS, PRIMARY } from './card-css.ts';
export type { DrawQr } from './card-png.ts';
export { cardFileName, cardPng } from './card-png.ts';
export {
  CURRENCY_MARK,
  formatCountdown,
  formatMoney,
  formatPaidAt,
  receiptReference,
} from './format.ts';
export { qrPath } from './qr-path.ts';
export type { CardLang, CardStrings } from './strings.ts';
export { STRINGS, stringsFor } from './strings.ts';
