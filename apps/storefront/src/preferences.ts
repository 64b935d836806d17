// The shopper's choices for the card, kept in this browser: its language and the page's theme.
// public/theme.js reads the same keys before the page paints, so a dark page never flashes light.

/** The card's language; the shop's own words stay English. */
export type Lang = 'en' | 'km';
export type Theme = 'light' | 'dark';

export const LANG_KEY = 'phsar-khmer.lang';
export const THEME_KEY = 'phsar-khmer.theme';

/** localStorage, or nothing where the browser refuses it (storage disabled, some private modes). */
function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept: the choice still holds for this page.
  }
}

/** English unless Khmer was chosen: this is an English shop. */
export const storedLang = (): Lang => (read(LANG_KEY) === 'km' ? 'km' : 'en');

/** The stored theme, else the system's. */
export function storedTheme(): Theme {
  const stored = read(THEME_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

/** Colours the whole page (the CSS custom properties switch on html[data-theme]). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}
