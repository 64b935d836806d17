// Runs before the page paints: the stored (or the system's) theme, as src/preferences.ts decides.
try {
  const stored = localStorage.getItem('phsar-khmer.theme');
  document.documentElement.dataset.theme =
    stored === 'light' || stored === 'dark'
      ? stored
      : matchMedia('(prefers-color-scheme: dark)').matches
        ? 'dark'
        : 'light';
} catch {
  document.documentElement.dataset.theme = 'light';
}
