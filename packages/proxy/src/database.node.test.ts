// Opening the ledger's database as an operator meets it: locks left by crashes and by reused
// pids, a directory that is a file, a damaged database, a password in the URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbedded, openPostgres } from '@khqr-checkout/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../test/postgres.ts';

let root: string;
let dir: string;
let sleeper: ChildProcess;
const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
};
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'khqr-db-'));
  dir = join(root, 'data');
  // Created once: every test below reopens it.
  await (await openEmbedded(dir)).close();
  sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
}, 60_000);
afterAll(() => {
  sleeper?.kill();
  rmSync(root, { recursive: true, force: true });
});

describe('the embedded database lock', () => {
  it('refuses a second open of one directory in one process, and frees it on close', async () => {
    const db = await openEmbedded(dir);
    await expect(openEmbedded(dir)).rejects.toThrow(/already open in this process/);
    await db.close();
    expect(existsSync(join(dir, 'khqr.lock'))).toBe(false);
    await (await openEmbedded(dir)).close();
  });

  it('refuses a directory a live process holds, naming it', async () => {
    const pid = sleeper.pid as number;
    writeFileSync(join(dir, 'khqr.lock'), `${pid} ${startTimeOf(pid)}`);
    await expect(openEmbedded(dir)).rejects.toThrow(
      new RegExp(`in use by process ${pid}.*KHQR_DATA_DIR`),
    );
    rmSync(join(dir, 'khqr.lock'));
  });

  it.each([
    ['a process that died', () => '999999999 1'],
    ['an earlier life of this pid (a container restarted: pid 1 again)', () => `${process.pid} 1`],
    [
      'a pid reused by another program (same pid, another start time)',
      () => `${sleeper.pid} ${Number(startTimeOf(sleeper.pid as number)) + 1}`,
    ],
  ])('takes over a lock left by %s', async (_, lock) => {
    writeFileSync(join(dir, 'khqr.lock'), lock());
    const db = await openEmbedded(dir);
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
    await db.close();
  });
});

describe('what an operator can get wrong', () => {
  it('says so when the data directory is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(openEmbedded(file)).rejects.toThrow(/is a file, not a directory/);
  });

  it('removes what a killed first start left half-made', async () => {
    mkdirSync(join(dir, 'pgdata.creating-12345'));
    await (await openEmbedded(dir)).close();
    expect(existsSync(join(dir, 'pgdata.creating-12345'))).toBe(false);
  });

  it('explains a damaged database instead of starting over it', async () => {
    const broken = join(root, 'broken');
    await (await openEmbedded(broken)).close();
    writeFileSync(join(broken, 'pgdata', 'global', 'pg_control'), Buffer.alloc(64, 7));
    await expect(openEmbedded(broken)).rejects.toThrow(/could not be opened.*damaged.*backup/);
    expect(existsSync(join(broken, 'pgdata', 'PG_VERSION'))).toBe(true);
  }, 60_000);

  it('never shows a Postgres password, in the user part or the query string', async () => {
    const postgres = await startPostgres();
    try {
      for (const url of [
        postgres.url.replace('khqr@', 'khqr:s3cretPW@'),
        `${postgres.url}?password=s3cretPW`,
      ]) {
        const db = await openPostgres(url);
        expect(db.location).not.toContain('s3cretPW');
        await db.close();
      }
    } finally {
      await postgres.stop();
    }
  });
});
