// The drop-in: one file with Lit, the QR encoder and the SDK inlined, for a plain <script> tag.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  resolve: { conditions: ['@khqr-checkout/source', ...defaultClientConditions] },
  logLevel: 'warn',
  build: {
    lib: {
      entry: 'src/drop-in.ts',
      formats: ['iife'],
      name: 'KhqrCheckout',
      fileName: () => 'khqr-checkout.js',
    },
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
  },
});
