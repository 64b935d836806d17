// Measures what a browser bundle of an import costs: esbuild, minified ESM, then `gzip -9`
// (GNU gzip, the tool the reference baselines in shared/reference were measured with). Budgets are
// held on what users get: the workspace packages' built dist/, as published.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root: bundles resolve from it, whatever the working directory. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bytes of `gzip -9 -n` of `bytes`. */
export function gzipSize(bytes) {
  const result = spawnSync('gzip', ['-9', '-n', '-c'], {
    input: bytes,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`gzip failed (${result.error?.message ?? result.stderr}): install gzip`);
  return result.stdout.length;
}

/**
 * @param {string} code ES module source importing what to measure
 * @param {{ source?: boolean, external?: string[] }} [options] `source`: resolve workspace packages
 *   to their TypeScript source (the `@khqr-checkout/source` condition) instead of their built
 *   dist/, the default; `external`: peers left out of the bundle
 * @returns {Promise<{ minified: number, gzip: number }>}
 */
export async function measure(code, { source = false, external = [] } = {}) {
  let result;
  try {
    result = await build({
      stdin: { contents: code, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      minify: true,
      treeShaking: true,
      target: 'es2022',
      conditions: source ? ['@khqr-checkout/source'] : [],
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'silent',
      external,
      jsx: 'automatic',
    });
  } catch (error) {
    const missing = source ? [] : missingDist();
    if (missing.length === 0) throw error;
    throw new Error(`${missing.join(', ')} missing: sizes are measured on dist/; run pnpm build`);
  }
  const bytes = result.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSize(bytes) };
}

/** The built entries the budgets bundle, from the root (`pnpm build` writes them). */
export const distFiles = [
  'packages/khqr/dist/index.js',
  'packages/khqr/dist/session/index.js',
  'packages/khqr/dist/compat/index.js',
  'packages/react/dist/index.js',
  'packages/element/dist/khqr-checkout.js',
];

/** The entries of {@link distFiles} not built. */
export const missingDist = () => distFiles.filter((file) => !existsSync(join(ROOT, file)));

/** Entries with a budget in bytes (minified + gzip of the bundle of dist/), enforced by `pnpm size`. */
export const budgets = [
  {
    name: '@khqr-checkout/khqr: generateKhqr + khqrMd5',
    code: "export { generateKhqr, khqrMd5 } from '@khqr-checkout/khqr';",
    limit: 4096,
  },
  {
    name: '@khqr-checkout/khqr: whole modern API',
    code: "export * from '@khqr-checkout/khqr';",
    limit: 6144,
  },
  {
    name: '@khqr-checkout/react (without react, react-dom, @tanstack/react-query)',
    code: "export * from '@khqr-checkout/react';",
    external: ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query'],
    // The SDK and card (~7 KB), qrcode.react (~6 KB, the required QR renderer), the component,
    // and since the card rides the core checkout session (one engine with the element: reload,
    // tabs, grace, signals) that engine (~2.8 KB) instead of its own react-query polling: 19 KiB.
    // Then the paid receipt, "New QR" through the merchant's renew endpoint and useKhqrCheckout
    // (react-query creating and renewing a server checkout), ~1 KB: 20 KiB. Then the
    // misconfiguration messages (a refused origin, no proxy at the endpoint, a proxy that never
    // answered) in both languages and their rule in the session, ~0.56 KB: 20.5 KiB.
    limit: 20992,
  },
  {
    name: '@khqr-checkout/khqr/session: the checkout session',
    code: "export * from '@khqr-checkout/khqr/session';",
    // 3 KiB until requestCheckout (~0.2 KB: the merchant's endpoint for a new QR, one reading
    // of its answer for both cards) and the receipt's paid time joined it: 3.25 KiB. Then the
    // misconfiguration rule (`problem`: refused origin, endpoint not found, never reached), ~0.38 KB:
    // 3.5 KiB.
    limit: 3584,
  },
];

/** Built files with a budget (min+gzip of the file as shipped). */
export const fileBudgets = [
  {
    name: '@khqr-checkout/element drop-in: dist/khqr-checkout.js (Lit, QR encoder, SDK)',
    file: 'packages/element/dist/khqr-checkout.js',
    // 20 KiB until the paid receipt (time, reference, both languages), the continue slot and "New
    // QR" through the merchant's renew endpoint (~0.75 KB); the card a customer sees: 21 KiB.
    // Then the misconfiguration messages in both languages and their rule (~0.56 KB): 21.5 KiB.
    limit: 22016,
  },
];

/** Peers, measured the same way, for comparison. */
export const peers = [
  { name: 'bakong-khqr 1.0.20 (official)', code: "export * from 'bakong-khqr';" },
  { name: 'ts-khqr 2.2.3', code: "export * from 'ts-khqr';" },
  {
    name: '@khqr-checkout/khqr/compat (drop-in)',
    code: "export * from '@khqr-checkout/khqr/compat';",
  },
];
