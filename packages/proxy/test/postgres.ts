// A throwaway PostgreSQL server on a free loopback port, for the ledger's Postgres tests.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const HOW = 'run "sudo apt-get update && sudo apt-get install -y postgresql"';
const notFound = (where: string) =>
  new Error(`PostgreSQL server not found${where}. The ledger's Postgres tests need it: ${HOW}.`);

/** The server binaries: PG_BIN, else the newest Debian cluster version, else pg_config's. */
function binaries(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    throw notFound('');
  }
}

/** As root, the `postgres` user to run the server as (PostgreSQL refuses to run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `Running as root, and there is no "postgres" user to run PostgreSQL as: ${HOW}.`,
    );
  }
}

/** The temp base: tmpdir(), unless the `postgres` user could not reach into it (then /tmp). */
function tempBase(asOther: boolean): string {
  const base = tmpdir();
  if (!asOther) return base;
  for (let d = base; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return '/tmp';
    if (d === dirname(d)) return base;
  }
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
};

/**
 * Starts PostgreSQL in a fresh temp directory on a free 127.0.0.1 port, or fails saying how to
 * install it (the tests never skip). As root (CI) it runs as the `postgres` user. `stop()` shuts
 * it down and removes the directory; a server still running when Node exits is killed.
 */
export async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = binaries();
  if (!existsSync(join(bin, 'postgres')) || !existsSync(join(bin, 'initdb')))
    throw notFound(` in ${bin}`);
  const user = serverUser();
  const dir = mkdtempSync(join(tempBase(user !== undefined), 'khqr-pg-'));
  const remove = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {}
  };
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', 'khqr', '-E', 'UTF8', '--no-locale', '--no-sync'],
      { stdio: 'pipe', ...user, cwd: dir },
    );
  } catch (error) {
    remove();
    const { stderr, stdout } = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`initdb failed:\n${String(stderr ?? '') || String(stdout ?? '')}`);
  }

  // A port picked by freePort() can be taken by someone else before postgres binds it: retry.
  const log = join(dir, 'postgres.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const out = openSync(log, 'w');
    if (user) chownSync(log, user.uid, user.gid);
    // biome-ignore format: one server setting a line
    const child: ChildProcess = spawn(join(bin, 'postgres'), [
      '-D', data,
      '-p', String(port),
      '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ], { stdio: ['ignore', out, out], ...user, cwd: dir });
    closeSync(out);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Immediate shutdown: postgres stops its backends and frees its shared memory by itself.
    const kill = () => {
      child.kill('SIGQUIT');
      remove();
    };
    process.once('exit', kill);

    const url = `postgres://khqr@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (
      !ready &&
      child.exitCode === null &&
      child.signalCode === null &&
      Date.now() < deadline
    ) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        ready = true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (ready)
      return {
        url,
        stop: async () => {
          process.removeListener('exit', kill);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          await exited;
          remove();
        },
      };

    process.removeListener('exit', kill);
    const running = child.exitCode === null && child.signalCode === null;
    if (running) child.kill('SIGQUIT');
    await exited;
    const why = tail(log);
    if (attempt < 3 && /could not bind|already in use/i.test(why)) continue;
    remove();
    throw new Error(
      `PostgreSQL ${running ? 'did not accept connections within 15 s' : 'exited'}:\n${why}`,
    );
  }
}
