import type { NextConfig } from 'next';

const config: NextConfig = {
  // The proxy's embedded ledger (PGlite) loads its WASM files from its own package: bundled by
  // Turbopack, it fails to open ("The "path" argument must be of type string or an instance of
  // Buffer or URL. Received an instance of URL"). Node loads it from node_modules instead, and
  // once per process: a second proxy on the same data directory is then refused, not opened twice.
  serverExternalPackages: ['@khqr-checkout/proxy'],
};

export default config;
