// A throwaway PostgreSQL server on a free loopback port, for the ledger's Postgres tests.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const HOW = 'run "sudo apt-get update && sudo apt-get install -y postgresql"';

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
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`PostgreSQL server not found. The ledger's Postgres tests need it: ${HOW}.`);
  }
}

/**
 * Starts PostgreSQL in a fresh directory, or fails saying how to install it (the tests never
 * skip). Postgres refuses to run as root: as root (CI) it runs as the `postgres` user.
 */
export async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = binaries();
  if (!existsSync(join(bin, 'postgres')))
    throw new Error(
      `PostgreSQL server not found in ${bin}. The ledger's Postgres tests need it: ${HOW}.`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'khqr-pg-'));
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    try {
      user = { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new Error(
        `Running as root, and there is no "postgres" user to run PostgreSQL as: ${HOW}.`,
      );
    }
    chownSync(dir, user.uid, user.gid);
  }
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', 'khqr', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { stdio: 'ignore', ...user, cwd: dir },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    { stdio: 'ignore', ...user, cwd: dir },
  );
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `postgres://khqr@127.0.0.1:${port}/postgres`;
  let ready = false;
  for (let i = 0; i < 200 && !ready && child.exitCode === null; i++) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      ready = true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (!ready) {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error('PostgreSQL did not start within 10 s.');
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', kill);
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGINT');
      }),
  };
}
