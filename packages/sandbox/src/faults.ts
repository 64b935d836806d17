/** What a fault does to the request it hits. */
export type FaultKind =
  /** Answers normally, after `latencyMs`. */
  | 'latency'
  /** HTTP `status` (500–599, default 500) with a JSON error envelope. */
  | 'server-error'
  /** HTTP 429 with `Retry-After: retryAfter` seconds (default 1). */
  | 'rate-limit'
  /** HTTP 403 with nginx's HTML page, as Bakong answers callers outside Cambodia. */
  | 'forbidden'
  /** Destroys the connection without an answer (the client sees a reset). */
  | 'reset'
  /** HTTP 200 with an HTML body. */
  | 'non-json'
  /** Never answers; the client must time out. */
  | 'hang';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'server-error',
  'rate-limit',
  'forbidden',
  'reset',
  'non-json',
  'hang',
];

/** A fault to inject: for the next `count` requests to `endpoint`, or a `share` of them. */
export interface FaultSpec {
  /** A Bakong endpoint name such as `check_transaction_by_md5`, or `*` for all of them. */
  endpoint: string;
  kind: FaultKind;
  /** How many requests it hits. @default 1 (when no share is given) */
  count?: number;
  /** The share of requests it hits (0–1), until cleared; drawn from the sandbox's seeded generator. */
  share?: number;
  /** For `latency`. @default 1000 */
  latencyMs?: number;
  /** For `server-error`. @default 500 */
  status?: number;
  /** For `rate-limit`, seconds. @default 1 */
  retryAfter?: number;
}

/** An injected fault, as listed by the admin API. */
export interface Fault extends FaultSpec {
  id: number;
  /** Requests it hit so far. */
  hits: number;
}

/** Throws a readable error when `spec` is not a valid fault. */
export function parseFault(spec: unknown, endpoints: readonly string[]): FaultSpec {
  if (typeof spec !== 'object' || spec === null)
    throw new Error('A fault is an object: {endpoint, kind, count | share}');
  const s = spec as Record<string, unknown>;
  if (typeof s.endpoint !== 'string' || (s.endpoint !== '*' && !endpoints.includes(s.endpoint))) {
    throw new Error(`fault.endpoint must be "*" or one of: ${endpoints.join(', ')}`);
  }
  if (!FAULT_KINDS.includes(s.kind as FaultKind))
    throw new Error(`fault.kind must be one of: ${FAULT_KINDS.join(', ')}`);
  const number = (key: string, ok: (n: number) => boolean, rule: string) => {
    if (s[key] !== undefined && (typeof s[key] !== 'number' || !ok(s[key])))
      throw new Error(`fault.${key} must be ${rule}`);
  };
  number('count', (n) => Number.isInteger(n) && n > 0, 'a whole number > 0');
  number('share', (n) => n > 0 && n <= 1, 'a number in (0, 1]');
  number(
    'latencyMs',
    (n) => Number.isInteger(n) && n >= 0 && n <= 120_000,
    'whole milliseconds, 0–120000',
  );
  number('status', (n) => Number.isInteger(n) && n >= 500 && n <= 599, 'an HTTP status 500–599');
  number('retryAfter', (n) => Number.isInteger(n) && n >= 0 && n <= 3600, 'whole seconds, 0–3600');
  if (s.count !== undefined && s.share !== undefined)
    throw new Error('Give fault.count or fault.share, not both');
  const out: FaultSpec = { endpoint: s.endpoint, kind: s.kind as FaultKind };
  for (const key of ['count', 'share', 'latencyMs', 'status', 'retryAfter'] as const) {
    if (s[key] !== undefined) out[key] = s[key] as number;
  }
  if (out.share === undefined && out.count === undefined) out.count = 1;
  return out;
}

/** mulberry32: a small seeded generator, so `share` faults repeat run to run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The injected faults, consulted once per Bakong request. */
export class FaultTable {
  private faults: Fault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = seeded(seed);
  }

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  /** The fault that hits this request to `endpoint`, if any (and counts it). */
  take(endpoint: string): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.endpoint !== '*' && fault.endpoint !== endpoint) continue;
      const hit =
        fault.count !== undefined ? fault.hits < fault.count : this.random() < (fault.share ?? 0);
      if (!hit) continue;
      fault.hits++;
      if (fault.count !== undefined && fault.hits >= fault.count) {
        this.faults = this.faults.filter((f) => f !== fault);
      }
      return fault;
    }
    return undefined;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
    this.random = seeded(this.seed);
  }
}
