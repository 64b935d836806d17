// The consumer tests' tools: pack the packages once, copy a template project out of the workspace,
// point its @khqr-checkout/* dependencies at the tarballs with the recipe `pnpm tarballs` prints,
// and install it with npm, as a merchant trying the packages before they are published would.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const TEMPLATES = fileURLToPath(new URL('.', import.meta.url));

/**
 * The environment of a merchant's shell: Vitest's own variables removed (its NODE_ENV=test would
 * make Vite bundle React's and Lit's development builds).
 */
export function shellEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (key !== 'NODE_ENV' && !key.startsWith('VITEST') && key !== 'TEST') env[key] = value;
  return { ...env, ...extra };
}

/** Runs a command; on failure throws its whole output, so a red consumer test says why. */
export async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 300_000,
): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, {
      cwd,
      env: shellEnv(env),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    );
  }
}

/** Runs a command to its end and gives its exit code and whole output, for commands whose failure is data. */
export function runStatus(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 300_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env: shellEnv(env), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * Copies `tests/consumers/<template>` into `root/<template>` and rewrites its package.json the way
 * `pnpm tarballs` tells a merchant to: each `@khqr-checkout/*` dependency becomes its tarball, and
 * every package is also listed under `overrides`, since the tarballs name each other by version.
 */
export function copyTemplate(
  template: string,
  root: string,
  specs: Record<string, string>,
): string {
  const dir = join(root, template);
  cpSync(join(TEMPLATES, template), dir, {
    recursive: true,
    filter: (src) => !/node_modules|[/\\]dist$|\.next$/.test(src),
  });
  const file = join(dir, 'package.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(json[field] ?? {})) {
      if (!name.startsWith('@khqr-checkout/')) continue;
      const spec = specs[name];
      if (!spec) throw new Error(`${template} depends on ${name}, which was not packed.`);
      json[field][name] = spec;
    }
  }
  json.overrides = { ...specs };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return dir;
}

/** `npm install`, quietly; the npm cache makes a second run quick. */
export function npmInstall(dir: string): Promise<string> {
  return run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir, {
    npm_config_update_notifier: 'false',
  });
}

/** Starts a long-running command and resolves once it prints a line matching `ready`. */
export function start(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: shellEnv(env) });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was ready:\n${output}`),
      );
    });
  });
}
