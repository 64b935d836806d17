import type { Md5ListItem } from './bakong-api.ts';
import type { Envelope } from './envelope.ts';

/** What a fault does to the request it hits. */
export type FaultKind =
  /** Answers normally, after `latencyMs`. */
  | 'latency'
  /** HTTP `status` (500–599, default 500) with a JSON error envelope. */
  | 'server-error'
  /**
   * HTTP 504 with nginx's HTML page after `latencyMs` (default 0): the gateway in front of Bakong
   * gave up waiting. Unlike `server-error` with status 504, the body is not JSON.
   */
  | 'gateway-timeout'
  /** HTTP 429 with `Retry-After: retryAfter` seconds (default 1). */
  | 'rate-limit'
  /** HTTP 403 with nginx's HTML page, as Bakong answers callers outside Cambodia. */
  | 'forbidden'
  /** Destroys the connection without an answer (the client sees a reset). */
  | 'reset'
  /** HTTP 200 with an HTML body. */
  | 'non-json'
  /** Never answers; the client must time out. */
  | 'hang'
  /** HTTP 200 with the errorCode 6 envelope: Bakong refuses a token inside a 200, not only with 401. */
  | 'unauthorized-in-200'
  /**
   * `check_transaction_by_md5_list` only: every item of the call comes back
   * `{md5, status: "SERVICE_FAILED", data: null}` in an HTTP 200, responseCode 0 answer, as Bakong
   * answers when it could not look an md5 up. It says nothing about the payment.
   */
  | 'service-failed'
  /**
   * `check_transaction_by_md5_list` only: paid items come back `status: "SUCCESS"` with
   * `data: null`, as live answers do; only `check_transaction_by_md5` can confirm them.
   */
  | 'success-without-data';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'server-error',
  'gateway-timeout',
  'rate-limit',
  'forbidden',
  'reset',
  'non-json',
  'hang',
  'unauthorized-in-200',
  'service-failed',
  'success-without-data',
];

const MD5_LIST = 'check_transaction_by_md5_list';

/** The kinds that rewrite the items of an md5_list answer, and how each rewrites one item. */
const ITEM_FAULTS = {
  'service-failed': (item: Md5ListItem): Md5ListItem => ({
    md5: item.md5,
    status: 'SERVICE_FAILED',
    data: null,
  }),
  'success-without-data': (item: Md5ListItem): Md5ListItem =>
    item.status === 'SUCCESS' ? { ...item, data: null } : item,
};

/** A fault kind that rewrites the items of a `check_transaction_by_md5_list` answer. */
export type ItemFaultKind = keyof typeof ITEM_FAULTS;

const isItemFault = (kind: FaultKind): kind is ItemFaultKind => Object.hasOwn(ITEM_FAULTS, kind);

/** An md5_list answer with its items rewritten by `kind`; an error answer (400, quota) as it was. */
export function alterItems(kind: ItemFaultKind, answer: Envelope): Envelope {
  if (answer.responseCode !== 0 || !Array.isArray(answer.data)) return answer;
  return { ...answer, data: (answer.data as Md5ListItem[]).map(ITEM_FAULTS[kind]) };
}

/** A fault to inject: for the next `count` requests to `endpoint`, or a `share` of them. */
export interface FaultSpec {
  /** A Bakong endpoint name such as `check_transaction_by_md5`, or `*` for all of them. */
  endpoint: string;
  kind: FaultKind;
  /** How many requests it hits. @default 1 (when no share is given) */
  count?: number;
  /** The share of requests it hits (0–1), until cleared; drawn from the sandbox's seeded generator. */
  share?: number;
  /** For `latency` (@default 1000) and `gateway-timeout` (@default 0). */
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
  if (isItemFault(s.kind as FaultKind) && s.endpoint !== MD5_LIST)
    throw new Error(`fault.endpoint must be ${MD5_LIST} for kind ${String(s.kind)}`);
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
