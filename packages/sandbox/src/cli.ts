#!/usr/bin/env node
// `pnpm sandbox -- --port 4010 --token <token>`: a Bakong Open API simulator on loopback.
import { parseArgs } from 'node:util';
import { startSandbox } from './server.ts';
import { DEV_TOKEN } from './tokens.ts';

const HELP = `Usage: khqr-sandbox [--port 4010] [--host 127.0.0.1] [--token TOKEN]... [--persist FILE] [--seed N] [--daily-limit N] [--quota-per-md5]

  --port      port to listen on (0 picks a free one)            default 4010
  --host      interface to bind; keep loopback unless you must   default 127.0.0.1
  --token     a bearer token to accept (repeatable)             default: a printed dev token
  --persist   JSON file keeping the ledger across restarts       default: memory only
  --seed      seed for faults injected with a "share"            default 1
  --daily-limit  Bakong calls a day (Phnom Penh) before errorCode 17  default: no limit
  --quota-per-md5  count each md5 of an md5_list call against the quota  default: the call once`;

function fail(message: string): never {
  console.error(`khqr-sandbox: ${message}\n\n${HELP}`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let parsed: ReturnType<typeof parse>;
function parse(args: string[]) {
  return parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string', multiple: true },
      persist: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'daily-limit': { type: 'string' },
      'quota-per-md5': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
try {
  parsed = parse(argv);
} catch (error) {
  fail((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be 0–65535, got ${values.port}`);
const seed = Number(values.seed);
if (!Number.isInteger(seed)) fail(`--seed must be a whole number, got ${values.seed}`);
const dailyLimit = values['daily-limit'] === undefined ? null : Number(values['daily-limit']);
if (dailyLimit !== null && !(Number.isInteger(dailyLimit) && dailyLimit >= 0))
  fail(`--daily-limit must be a whole number ≥ 0, got ${values['daily-limit']}`);

const tokens = values.token ?? [DEV_TOKEN];
const sandbox = await startSandbox({
  port,
  host: values.host,
  tokens,
  seed,
  dailyLimit,
  quotaCountsListItems: values['quota-per-md5'] === true,
  ...(values.persist ? { persist: values.persist } : {}),
}).catch((error: NodeJS.ErrnoException) =>
  fail(
    error.code === 'EADDRINUSE'
      ? `port ${port} is in use: pass --port 0 or another port`
      : error.message,
  ),
);

console.log(`Bakong sandbox listening on ${sandbox.url}
  Bank app:   ${sandbox.bankAppUrl}
  Admin API:  ${sandbox.url}/_sandbox/  (qrs, pay, fail, clock, tokens, faults, counters, quota, reset)${dailyLimit === null ? '' : `\n  Daily limit: ${dailyLimit} calls (errorCode 17 after that, until midnight in Phnom Penh)`}${values['quota-per-md5'] ? '\n  Quota:      each md5 of a check_transaction_by_md5_list call counts as one call' : ''}
  ${values.token ? 'Tokens:     as given with --token' : `Dev token:  ${DEV_TOKEN}`}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(() => process.exit(0));
  });
}
