// The throwaway PostgreSQL server the ledger's Postgres tests run against: a real server, in a
// fresh directory, on a free loopback port, gone after stop().
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres } from '../test/postgres.ts';

let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
let startupMs = 0;
const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  clients.push(client);
  await client.connect();
  return client;
}

beforeAll(async () => {
  const started = performance.now();
  server = await startPostgres();
  startupMs = performance.now() - started;
}, 30_000);
afterAll(async () => {
  for (const client of clients) await client.end().catch(() => undefined);
  await server?.stop();
});

it('starts a real PostgreSQL server on a loopback port, as user khqr, in a second or two', async () => {
  expect(server?.url).toMatch(/^postgres:\/\/khqr@127\.0\.0\.1:\d+\/postgres$/);
  const client = await connect(server?.url ?? '');
  const { rows } = await client.query<{ version: string; user: string; encoding: string }>(
    `select version(), current_user as user, pg_encoding_to_char(encoding) as encoding
       from pg_database where datname = current_database()`,
  );
  expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  expect(rows[0]).toMatchObject({ user: 'khqr', encoding: 'UTF8' });
  console.info(`PostgreSQL started in ${Math.round(startupMs)} ms: ${rows[0]?.version}`);
  expect(startupMs).toBeLessThan(10_000);
});

it('stores and reads back rows, Khmer text included', async () => {
  const client = await connect(server?.url ?? '');
  await client.query('create table payments (md5 text primary key, amount numeric, note text)');
  await client.query('insert into payments values ($1, $2, $3), ($4, $5, $6)', [
    'a1',
    '1.50',
    'កាហ្វេ',
    'b2',
    '2000',
    null,
  ]);
  const { rows } = await client.query('select * from payments order by md5');
  expect(rows).toEqual([
    { md5: 'a1', amount: '1.50', note: 'កាហ្វេ' },
    { md5: 'b2', amount: '2000', note: null },
  ]);
  await expect(client.query(`insert into payments values ('a1', 1, null)`)).rejects.toThrow(
    /duplicate key/,
  );
});

it('creates a second database and a schema, each independent of the first', async () => {
  const url = server?.url ?? '';
  const admin = await connect(url);
  await admin.query('create database second');
  const second = await connect(url.replace(/\/postgres$/, '/second'));
  await second.query('create schema shop');
  await second.query('create table shop.orders (id int primary key)');
  await second.query('insert into shop.orders values (1), (2)');
  expect((await second.query('select count(*)::int as n from shop.orders')).rows).toEqual([
    { n: 2 },
  ]);
  const { rows } = await admin.query(
    `select count(*)::int as n from information_schema.tables where table_schema = 'shop'`,
  );
  expect(rows).toEqual([{ n: 0 }]);
});

it('stop() shuts the server down: the port refuses connections and the directory is gone', async () => {
  const running = server;
  if (!running) throw new Error('no server');
  const client = await connect(running.url);
  const { rows } = await client.query<{ dir: string }>(
    `select current_setting('data_directory') as dir`,
  );
  const dataDirectory = rows[0]?.dir ?? '';
  expect(existsSync(dataDirectory)).toBe(true);
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);

  await running.stop();
  server = undefined;

  expect(existsSync(dataDirectory)).toBe(false);
  const late = new pg.Client({ connectionString: running.url, connectionTimeoutMillis: 2000 });
  late.on('error', () => {});
  await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
  await late.end().catch(() => undefined);
});
