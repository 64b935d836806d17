// Load run: simulated widgets polling pending checkouts through the proxy to the sandbox, on
// loopback, bounded in time. Prints throughput, latency and upstream calls per browser check, and
// every widget that went unanswered: autocannon counts a timeout only after `timeout` (30 s), so in
// a 10 s run a widget whose connection the server never took shows nowhere else.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { fmt, printTable } from './table.ts';

interface Setup {
  proxyUrl: string;
  sandboxUrl: string;
  md5s: string[];
}

/** The card's own request timeout (`requestTimeoutMs`): a widget waiting longer has given up. */
const WIDGET_TIMEOUT_S = 10;

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

/**
 * Connections the kernel refused for a full accept queue (Linux `ListenOverflows`), or null
 * elsewhere: a refused connection is retried after 1, 3, 7, 15, 31 s.
 */
function listenOverflows(): number | null {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('TcpExt:'));
    const index = names?.split(' ').indexOf('ListenOverflows') ?? -1;
    return index > 0 ? Number(values?.split(' ')[index]) : null;
  } catch {
    return null;
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

async function load(setup: Setup, connections: number, seconds: number, perWidgetRate?: number) {
  let next = 0;
  // Each widget is one connection: when it got its first answer, and whether it waits now.
  const widgets: Array<{ firstAnswerMs: number | null; waitingSince: number | null }> = [];
  const overflowsBefore = listenOverflows();
  // The load generator's own event loop: if it stalls, its latencies are its own.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const result = await autocannon({
    url: setup.proxyUrl,
    connections,
    duration: seconds,
    timeout: 30,
    ...(perWidgetRate ? { connectionRate: perWidgetRate } : {}),
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
    setupClient: (client) => {
      const created = performance.now();
      const widget = {
        firstAnswerMs: null as number | null,
        waitingSince: created as number | null,
      };
      widgets.push(widget);
      (client as NodeJS.EventEmitter).on('request', () => {
        widget.waitingSince = performance.now();
      });
      client.on('response', () => {
        widget.waitingSince = null;
        widget.firstAnswerMs ??= performance.now() - created;
      });
    },
  });
  const end = performance.now();
  loop.disable();
  const overflowsAfter = listenOverflows();
  const firstAnswers = widgets
    .map((w) => w.firstAnswerMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  return {
    result,
    widgets: {
      total: widgets.length,
      neverAnswered: widgets.length - firstAnswers.length,
      // Waiting at the end for longer than the card waits: a timeout the 30 s counter missed.
      givenUp: widgets.filter(
        (w) => w.waitingSince !== null && end - w.waitingSince > WIDGET_TIMEOUT_S * 1000,
      ).length,
      firstAnswerP99Ms: percentile(firstAnswers, 0.99),
      firstAnswerMaxMs: firstAnswers.at(-1) ?? 0,
    },
    overflows:
      overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
    generatorLoopMaxMs: loop.max / 1e6,
  };
}

type Run = Awaited<ReturnType<typeof load>>;

/** Lines that say what went wrong in a run, if anything did. */
function problems(name: string, run: Run): string[] {
  const { result, widgets } = run;
  const out: string[] = [];
  if (result.timeouts > 0) out.push(`${name}: ${fmt(result.timeouts)} requests timed out (30 s)`);
  if (result.errors - result.timeouts > 0)
    out.push(`${name}: ${fmt(result.errors - result.timeouts)} connection errors`);
  if (result.non2xx > 0) out.push(`${name}: ${fmt(result.non2xx)} answers were not 2xx`);
  if (widgets.neverAnswered > 0)
    out.push(
      `${name}: ${fmt(widgets.neverAnswered)} of ${fmt(widgets.total)} widgets never got an answer`,
    );
  if (widgets.givenUp > 0)
    out.push(
      `${name}: ${fmt(widgets.givenUp)} widgets were still waiting after ${WIDGET_TIMEOUT_S} s when the run ended`,
    );
  return out;
}

export async function benchProxy(clients = 1000, checkouts = 100, seconds = 10): Promise<void> {
  const { setup, stop } = await startServers(checkouts);
  try {
    const before = await upstreamCalls(setup.sandboxUrl);
    // As fast as the proxy answers: 1,000 connections each sending its next check at once.
    const flat = await load(setup, clients, seconds);
    const upstream = (await upstreamCalls(setup.sandboxUrl)) - before;
    // The same widgets at a widget's pace: a check a second each (the card polls every 2 s).
    const paced = await load(setup, clients, seconds, 1);
    // Few connections, so latency is the proxy's own work rather than queueing behind 1,000 sockets.
    const light = await load(setup, 8, 5);
    const checks = flat.result.requests.total;
    const runs = [flat, paced, light];
    const row = (measure: string, cell: (run: Run) => string) => [measure, ...runs.map(cell)];
    printTable(
      `Proxy load run (loopback, 2 cores, ${checkouts} pending checkouts, 1 s "not found" cache)`,
      [
        'measure',
        `${clients} widgets, flat out, ${seconds} s`,
        `${clients} widgets, 1 check/s each, ${seconds} s`,
        '8 widgets, flat out, 5 s',
      ],
      [
        row('browser checks answered', (r) => fmt(r.result.requests.total)),
        row('client timeouts (30 s)', (r) => fmt(r.result.timeouts)),
        row('connection errors', (r) => fmt(r.result.errors - r.result.timeouts)),
        row('non-2xx answers', (r) => fmt(r.result.non2xx)),
        row(
          'widgets never answered',
          (r) => `${fmt(r.widgets.neverAnswered)} of ${fmt(r.widgets.total)}`,
        ),
        row(`widgets waiting > ${WIDGET_TIMEOUT_S} s at the end`, (r) => fmt(r.widgets.givenUp)),
        row(
          'first answer of a widget p99 / max (ms)',
          (r) => `${fmt(r.widgets.firstAnswerP99Ms)} / ${fmt(r.widgets.firstAnswerMaxMs)}`,
        ),
        row('connections refused, accept queue full', (r) =>
          r.overflows === null ? 'n/a' : fmt(r.overflows),
        ),
        row('throughput (checks/s)', (r) => fmt(r.result.requests.average)),
        row(
          'latency p50 / p99 / max (ms)',
          (r) => `${r.result.latency.p50} / ${r.result.latency.p99} / ${fmt(r.result.latency.max)}`,
        ),
        row('load generator event-loop delay max (ms)', (r) => fmt(r.generatorLoopMaxMs)),
        ['upstream calls to Bakong (sandbox)', fmt(upstream), '', ''],
        ['upstream calls per browser check', (upstream / Math.max(1, checks)).toFixed(5), '', ''],
        [
          'upstream calls per md5 per cache window',
          (upstream / (checkouts * seconds)).toFixed(2),
          '',
          '',
        ],
      ],
    );
    // Flat out is the saturation limit (one process, every widget re-asking at once): widgets
    // it leaves unanswered are printed. At twice the card's pace, or light, none may be.
    const saturated = problems(`${clients} widgets flat out`, flat);
    if (saturated.length > 0) console.log(`\nSaturation (flat out): ${saturated.join('; ')}`);
    const trouble = [
      ...problems(`${clients} widgets at 1 check/s`, paced),
      ...problems('8 widgets', light),
    ];
    if (trouble.length > 0) {
      console.log(`\nWARNING: not every widget was answered.\n  ${trouble.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    stop();
  }
}
