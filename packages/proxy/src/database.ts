// node:fs and node:path are imported where the embedded database opens, so that a Fetch runtime
// (Workers) with a Postgres database never loads them.

/** One statement's rows. */
export type Rows = Record<string, unknown>[];

/** What runs SQL inside a transaction. */
export interface SqlQuery {
  query(text: string, params?: unknown[]): Promise<Rows>;
}

/**
 * A Postgres database the ledger keeps its tables in: the embedded one (PGlite, in a data
 * directory) or a Postgres server (`pg`). Both speak the same SQL.
 */
export interface SqlDatabase extends SqlQuery {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  /** `embedded` shares this process's clock; `postgres` is another machine's. */
  readonly kind: 'embedded' | 'postgres';
  /** Where it is, for a log line: a directory, or a URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/** The data directory when none is given: `KHQR_DATA_DIR`, else `.khqr-data` in the working directory. */
export function defaultDataDir(env: Record<string, string | undefined> = processEnv()): string {
  return env.KHQR_DATA_DIR || '.khqr-data';
}

function processEnv(): Record<string, string | undefined> {
  return (
    (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
  );
}

/**
 * Opens a database: a `postgres://` URL connects to a Postgres server (needs the `pg` package),
 * anything else is a directory for the embedded database (created on first use).
 * @example
 * const database = await openDatabase(process.env.DATABASE_URL ?? './.khqr-data');
 */
export async function openDatabase(where: string): Promise<SqlDatabase> {
  return /^postgres(ql)?:\/\//i.test(where) ? openPostgres(where) : openEmbedded(where);
}

/**
 * The embedded database in `dir`: Postgres compiled to WASM (PGlite), no server to run. A
 * committed transaction is on disk when it resolves, so it survives `kill -9`. One process at a
 * time: a lock file refuses a second one, which would corrupt it.
 */
export async function openEmbedded(dir: string): Promise<SqlDatabase> {
  const [
    { PGlite },
    { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync },
    { join, resolve },
  ] = await Promise.all([import('@electric-sql/pglite'), import('node:fs'), import('node:path')]);
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new Error(
      `[khqr-proxy] The data directory ${root} is a file, not a directory: point KHQR_DATA_DIR (or \`database\`) at a directory.`,
    );
  mkdirSync(root, { recursive: true });
  const unlock = await lockDirectory(root);
  try {
    const data = join(root, 'pgdata');
    // Half-made databases of first starts that were killed: only this process may hold the lock.
    for (const name of readdirSync(root))
      if (name.startsWith('pgdata.creating-'))
        rmSync(join(root, name), { recursive: true, force: true });
    if (!existsSync(join(data, 'PG_VERSION'))) {
      // A first start killed half-way must not leave a half-made database behind: make it
      // aside, then move it into place in one rename.
      const fresh = join(root, `pgdata.creating-${process.pid}`);
      const made = await PGlite.create(fresh);
      await made.close();
      renameSync(fresh, data);
    }
    const db = await PGlite.create(data).catch((error: unknown) => {
      throw new Error(
        `[khqr-proxy] The embedded database in ${data} could not be opened (${String((error as Error)?.message ?? error)}); it may be damaged. Restore the directory from a backup; moving it away starts an empty ledger, which forgets its open checkouts and undelivered settlements.`,
      );
    });
    return {
      kind: 'embedded',
      location: root,
      query: async (text, params) => (await db.query(text, params)).rows as Rows,
      transaction: (fn) =>
        db.transaction((tx) => fn({ query: async (t, p) => (await tx.query(t, p)).rows as Rows })),
      async close() {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Data directories this process holds open. */
const held = new Set<string>();

/** The error of a data directory another process (or this one) holds: `code`, `dir` and `pid` say which. */
function inUse(message: string, dir: string, pid: number): Error {
  return Object.assign(new Error(message), { code: 'KHQR_DATA_DIR_IN_USE', dir, pid });
}

/**
 * Takes `dir/khqr.lock` for this process, or throws naming the process that holds it (the error's
 * `code` is `KHQR_DATA_DIR_IN_USE`, its `pid` the holder's). The lock names a process by its pid
 * and its start time, since pids come back: a container's proxy is pid 1 after every restart, and
 * another program may get the pid of a proxy that was killed.
 */
async function lockDirectory(dir: string): Promise<() => void> {
  const [{ mkdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync }, { join }] =
    await Promise.all([import('node:fs'), import('node:path')]);
  const file = join(dir, 'khqr.lock');
  if (held.has(dir))
    throw inUse(
      `[khqr-proxy] The data directory ${dir} is already open in this process: open it once and share it (the \`database\` option takes an open database).`,
      dir,
      process.pid,
    );
  const me = `${process.pid} ${startTime(process.pid, readFileSync) ?? ''}`.trim();
  // Taking over a stale lock is read, remove, create: two processes doing it at once could each
  // remove the lock the other has just made. A guard directory (mkdir is atomic) lets one at a
  // time remove it; one left by a process killed in that instant is old, and removed.
  const guard = `${file}.takeover`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      writeFileSync(file, me, { flag: 'wx' });
      held.add(dir);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(dir);
        try {
          if (readFileSync(file, 'utf8') === me) rmSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let lock: string;
    try {
      lock = readFileSync(file, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pidText = '', started] = lock.trim().split(' ');
    const holder = Number(pidText);
    if (!pidText && Date.now() - statMs(file, statSync) < 2_000) {
      // Made an instant ago and not written yet: its maker is alive, writing its pid.
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const stale =
      holder === process.pid || // not held here (checked above): an earlier life of this pid
      !alive(holder) ||
      (started !== undefined && startTime(holder, readFileSync) !== started);
    if (!stale)
      throw inUse(
        `[khqr-proxy] The data directory ${dir} is in use by process ${holder}. One process opens an embedded database at a time: stop the other, give this one its own KHQR_DATA_DIR, or use Postgres (DATABASE_URL) for several instances.`,
        dir,
        holder,
      );
    // Left by a process that died (kill -9, a crash, a container restart): take it over.
    try {
      mkdirSync(guard);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(guard).mtimeMs > 5_000) rmdirSync(guard);
      } catch {
        // removed meanwhile
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    try {
      // Removed only if it is still the stale lock, not one another process has made since.
      if (readFileSync(file, 'utf8') === lock) rmSync(file);
    } catch {
      // gone already
    } finally {
      rmdirSync(guard);
    }
  }
  throw new Error(`[khqr-proxy] Could not lock the data directory ${dir}.`);
}

/** When `file` was last written (ms), or 0 when it is gone. */
function statMs(file: string, stat: (path: string) => { mtimeMs: number }): number {
  try {
    return stat(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** When a process started (Linux: /proc/<pid>/stat, field 22), or undefined elsewhere. */
function startTime(
  pid: number,
  read: (path: string, encoding: 'utf8') => string,
): string | undefined {
  try {
    const stat = read(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A Postgres server through a `pg` pool (the `pg` package must be installed). */
export async function openPostgres(url: string): Promise<SqlDatabase> {
  let Pool: typeof import('pg').Pool;
  try {
    const pg = await import('pg');
    Pool = (pg.default ?? pg).Pool;
  } catch {
    throw new Error(
      '[khqr-proxy] DATABASE_URL is a Postgres URL but the "pg" package is not installed: add it to your project (pg@8).',
    );
  }
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  await pool.query('select 1');
  const location = url
    .replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
    .replace(/([?&](?:password|sslpassword)=)[^&]*/gi, '$1***');
  return {
    kind: 'postgres',
    location,
    query: async (text, params) => (await pool.query(text, params)).rows as Rows,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async (t, p) => (await client.query(t, p)).rows as Rows,
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
