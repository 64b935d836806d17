import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type UserWorkspaceConfig } from 'vitest/config';
import * as browserCommands from './scripts/browser-commands.ts';
import { SummaryReporter } from './scripts/summary-reporter.ts';
import { BROWSER_TEST_PORT, BROWSER_TEST_PORT_REACT18 } from './test-utils/browser-constants.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test-utils/chromium.ts';

/** Workspace packages resolve each other's TypeScript source through this export condition. */
const SOURCE = '@khqr-checkout/source';
const root = fileURLToPath(new URL('.', import.meta.url));

const shared = {
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  // Global setups run in Vitest's own environment: it needs the source condition too.
  environments: {
    __vitest__: {
      resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE] },
    },
  },
  ssr: {
    resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE] },
  },
  // The test vectors live in ../shared, beside the repository.
  server: { fs: { allow: [root, fileURLToPath(new URL('../shared', import.meta.url))] } },
};

/**
 * `@khqr-checkout/react` promises React 18 too: the react18-* projects run its jsdom,
 * server-rendering and Chromium tests again with React and its React-facing libraries taken from
 * tests/react18.
 */
const REACT18 = fileURLToPath(new URL('./tests/react18/node_modules/', import.meta.url));
const react18 = {
  ...shared,
  resolve: {
    ...shared.resolve,
    alias: [
      {
        find: /^(react|react-dom|qrcode\.react|@tanstack\/react-query|@testing-library\/react)(\/.*)?$/,
        replacement: `${REACT18}$1$2`,
      },
    ],
  },
};

/** A project running in Debian's Chromium (Vitest browser mode), its page served on `port`. */
function chromiumProject(
  base: typeof shared,
  name: string,
  port: number,
  include: string[],
  reactMajor: '18' | '19',
): UserWorkspaceConfig {
  return {
    ...base,
    // Pre-bundled up front, so Vite does not reload the page mid-run when it discovers them.
    optimizeDeps: {
      include: [
        'lit',
        'lean-qr/nano',
        'jsqr',
        'react',
        'react-dom/client',
        'react/jsx-runtime',
        'react/jsx-dev-runtime',
        '@tanstack/react-query',
        'qrcode.react',
        'pixelmatch',
      ],
    },
    test: {
      name,
      include,
      exclude: ['**/*.node.test.ts', '**/*.dom.test.ts', '**/node_modules/**'],
      globalSetup: ['scripts/browser-setup.ts'],
      provide: { reactMajor },
      testTimeout: 30_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        api: { port, strictPort: true },
        commands: browserCommands,
        provider: playwright({
          launchOptions: {
            ...(existsSync(CHROMIUM_PATH) ? { executablePath: CHROMIUM_PATH } : {}),
            args: CHROMIUM_ARGS,
          },
        }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
}

export default defineConfig({
  ...shared,
  test: {
    reporters: ['default', new SummaryReporter()],
    projects: [
      {
        ...shared,
        test: {
          name: 'node',
          environment: 'node',
          env: { KHQR_REACT_MAJOR: '19' },
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/src/**/*.test.tsx',
            'apps/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.tsx',
            'apps/*/server/**/*.test.ts',
          ],
          exclude: [
            '**/*.browser.test.ts',
            '**/*.browser.test.tsx',
            '**/*.dom.test.ts',
            '**/*.dom.test.tsx',
            '**/node_modules/**',
          ],
          testTimeout: 30_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['packages/*/src/**/*.dom.test.ts', 'packages/*/src/**/*.dom.test.tsx'],
          env: { KHQR_REACT_MAJOR: '19' },
        },
      },
      {
        ...react18,
        test: {
          name: 'react18-jsdom',
          environment: 'jsdom',
          include: ['packages/react/src/**/*.dom.test.tsx'],
          env: { KHQR_REACT_MAJOR: '18' },
        },
      },
      {
        ...react18,
        test: {
          name: 'react18-node',
          environment: 'node',
          env: { KHQR_REACT_MAJOR: '18' },
          include: ['packages/react/src/ssr.test.tsx'],
        },
      },
      chromiumProject(
        shared,
        'chromium',
        BROWSER_TEST_PORT,
        [
          // The portable core tests run here too: proof that no Node built-in is needed.
          'packages/khqr/src/**/*.test.ts',
          'packages/*/src/**/*.browser.test.ts',
          'packages/*/src/**/*.browser.test.tsx',
        ],
        '19',
      ),
      chromiumProject(
        react18,
        'react18-chromium',
        BROWSER_TEST_PORT_REACT18,
        ['packages/react/src/**/*.browser.test.tsx'],
        '18',
      ),
    ],
  },
});
