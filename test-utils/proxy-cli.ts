// The standalone proxy (`pnpm proxy`) as a child process, from source, on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Starts `khqr-proxy --port 0` with only PATH and `env` in its environment. */
export function spawnProxyCli(env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@khqr-checkout/source',
      'packages/proxy/src/cli.ts',
      '--',
      '--port',
      '0',
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
