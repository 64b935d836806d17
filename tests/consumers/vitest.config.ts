// `pnpm consumers` (the last step of `pnpm test`): the packed packages installed into fresh
// projects outside the workspace, type-checked, built, run, and paid in Chromium.
import { defineConfig } from 'vitest/config';
import { SummaryReporter } from '../../scripts/summary-reporter.ts';

export default defineConfig({
  test: {
    name: 'consumers',
    root: new URL('.', import.meta.url).pathname,
    include: ['*.test.ts'],
    environment: 'node',
    globalSetup: ['./setup.ts'],
    reporters: ['default', new SummaryReporter()],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
