// Load run: simulated widgets polling pending checkouts through the proxy to the sandbox, on
// loopback, bounded in time. Prints throughput, latency and upstream calls per browser check.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { fmt, printTable } from './table.ts';

interface Setup {
  proxyUrl: string;
  sandboxUrl: string;
  md5s: string[];
}

async function startServers(checkouts: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@khqr-checkout/source',
      'bench/proxy-server.ts',
      String(checkouts),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench servers exited with ${code}`)));
  });
  return { setup: JSON.parse(line) as Setup, stop: () => child.kill('SIGTERM') };
}

const upstreamCalls = async (sandboxUrl: string) => {
  const counters = (await (await fetch(`${sandboxUrl}/_sandbox/counters`)).json()) as Record<
    string,
    { requests: number }
  >;
  // Single and list checks: one list call asks about up to 50 md5s.
  return (
    (counters.check_transaction_by_md5?.requests ?? 0) +
    (counters.check_transaction_by_md5_list?.requests ?? 0)
  );
};

async function load(setup: Setup, connections: number, seconds: number) {
  let next = 0;
  return autocannon({
    url: setup.proxyUrl,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/check',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ md5: setup.md5s[next++ % setup.md5s.length] }),
        }),
      },
    ],
  });
}

export async function benchProxy(clients = 1000, checkouts = 100, seconds = 10): Promise<void> {
  const { setup, stop } = await startServers(checkouts);
  try {
    const before = await upstreamCalls(setup.sandboxUrl);
    const result = await load(setup, clients, seconds);
    const upstream = (await upstreamCalls(setup.sandboxUrl)) - before;
    // Few connections, so latency is the proxy's own work rather than queueing behind 1,000 sockets.
    const light = await load(setup, 8, 5);
    const checks = result.requests.total;
    printTable(
      `Proxy load run (loopback, 2 cores, ${checkouts} pending checkouts, 1 s "not found" cache)`,
      ['measure', `${clients} widgets, ${seconds} s`, `8 widgets, 5 s`],
      [
        ['browser checks answered', fmt(checks), fmt(light.requests.total)],
        [
          'non-2xx / errors / timeouts',
          `${fmt(result.non2xx)} / ${fmt(result.errors)} / ${fmt(result.timeouts)}`,
          `${fmt(light.non2xx)} / ${fmt(light.errors)} / ${fmt(light.timeouts)}`,
        ],
        ['throughput (checks/s)', fmt(result.requests.average), fmt(light.requests.average)],
        [
          'latency p50 / p99 (ms)',
          `${result.latency.p50} / ${result.latency.p99}`,
          `${light.latency.p50} / ${light.latency.p99}`,
        ],
        ['upstream calls to Bakong (sandbox)', fmt(upstream), ''],
        ['upstream calls per browser check', (upstream / Math.max(1, checks)).toFixed(5), ''],
        [
          'upstream calls per md5 per cache window',
          (upstream / (checkouts * seconds)).toFixed(2),
          '',
        ],
      ],
    );
  } finally {
    stop();
  }
}
