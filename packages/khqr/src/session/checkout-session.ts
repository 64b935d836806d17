import {
  type CheckAnswer,
  DEFAULT_POLICY,
  interpretAnswer,
  nextPollDelay,
  type PollPolicy,
} from './policy.ts';
import { problemText } from './problem.ts';

/** Where a checkout stands. `paid`, `failed` and `expired` are terminal and happen once. */
export type SessionState = 'idle' | 'pending' | 'paid' | 'failed' | 'expired';

/**
 * The card is set up wrong, or its payment server does not run: for the developer, named with
 * what to fix. `origin_not_allowed`: the proxy refuses this page's origin (403); polling stopped.
 * `endpoint_not_found`: no proxy route at the endpoint (a 404 or 405 that is not a refusal of the
 * QR, e.g. a page's HTML 404); polling stopped. `unreachable`: a few checks in a row got no
 * answer from the proxy (connection refused, DNS, CORS, or something else answering: a gateway's
 * 502, a catch-all page's 200) and none ever came; checks go on.
 */
export interface SessionProblem {
  readonly kind: 'origin_not_allowed' | 'endpoint_not_found' | 'unreachable';
  /** The check URL, resolved against the page. */
  readonly endpoint: string;
  /** The page's origin, as the proxy is told it. */
  readonly origin: string;
  /** The HTTP status; 0 when nothing answered (for `unreachable`: what answered, not the proxy). */
  readonly status: number;
  /** What is wrong and what to fix, in English (logged once with console.error). */
  readonly detail: string;
}

/** An immutable picture of the session, replaced only when something changed. */
export interface SessionSnapshot {
  readonly state: SessionState;
  readonly md5: string;
  /** The QR's expiry (server clock, ms). */
  readonly expiresAt: number;
  /** Server clock minus device clock, ms, from the proxy's `serverNow`. */
  readonly serverOffsetMs: number;
  /** Checks are failing for transport reasons; the last known state still holds. */
  readonly reconnecting: boolean;
  /** The server confirms payments later today (Bakong's quota is spent); the QR stays payable. */
  readonly delayed: boolean;
  /** The proxy refuses this checkout; polling has stopped. */
  readonly error: { code: string; message: string; status: number } | null;
  /** A misconfiguration, or a payment server that never answered (see {@link SessionProblem}). */
  readonly problem: SessionProblem | null;
  /** When it was paid (server clock, ms), as the proxy tells it; else when this page saw it paid. */
  readonly paidAt: number | null;
  /** Answers received. */
  readonly checks: number;
  /** Another tab polls this checkout and shares its answers; this one waits. */
  readonly follower: boolean;
}

/**
 * Why a check is made now, sent to the proxy as `signal` in that one check's body so it asks
 * Bakong promptly: `'paid'` when the customer taps "I've paid", `'visible'` when a hidden page
 * becomes visible again (back from the bank app, or restored from the back/forward cache).
 */
export type CheckSignal = 'paid' | 'visible';

/** Page signals the session reacts to; the defaults read `document` and `window` when present. */
export interface SessionEnvironment {
  isHidden(): boolean;
  isOnline(): boolean;
  /** Calls back on visibilitychange, online/offline and pageshow; returns the cleanup. */
  onChange(
    callback: (event: 'visible' | 'hidden' | 'online' | 'offline' | 'pageshow') => void,
  ): () => void;
}

/** Answers shared between tabs of one checkout. */
export interface SessionChannel {
  post(message: { md5: string; answer: CheckAnswer }): void;
  subscribe(callback: (message: { md5: string; answer: CheckAnswer }) => void): () => void;
}

/** Options of {@link createCheckoutSession}. */
export interface CheckoutSessionOptions {
  md5: string;
  /** The QR's tag 99 expiry, ms. */
  expiresAt: number;
  /** The proxy's check URL, e.g. `/api/khqr/check`. */
  endpoint: string;
  /** Sent with checks until the proxy has accepted it (a browser-generated QR). */
  qr?: string;
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default Date.now */
  now?: () => number;
  /** @default globalThis.setTimeout / clearTimeout */
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** @default Math.random */
  random?: () => number;
  /** @default the page's document/window, or none */
  environment?: SessionEnvironment | null;
  /** Exclusive lock per md5 across tabs (e.g. Web Locks); resolves a release function once held. */
  lock?: ((name: string) => Promise<() => void>) | null;
  channel?: SessionChannel | null;
  policy?: Partial<PollPolicy>;
}

/** A checkout being watched: the contract every UI adapter uses. */
export interface CheckoutSession {
  /** Polling starts with the first subscriber and stops with the last. */
  subscribe(listener: () => void): () => void;
  getSnapshot(): SessionSnapshot;
  /**
   * Check now, aborting a check under way. With a `signal` (`'paid'` for the "I've paid" button)
   * that check's body carries `signal` once; a check it aborts hands its signal on, `'paid'`
   * winning over `'visible'`. The page becoming visible again checks with `'visible'`.
   */
  checkNow(signal?: CheckSignal): void;
  /** Stops for good: timers, the check under way, listeners of the page. */
  destroy(): void;
}

type ProxyError = { error?: { code?: unknown } } | null;

const TERMINAL: SessionState[] = ['paid', 'failed', 'expired'];

/** A checkout nobody has asked about yet: what a session starts from (and what a server renders). */
export function idleSnapshot(md5: string, expiresAt: number): SessionSnapshot {
  return {
    state: 'idle',
    md5,
    expiresAt,
    serverOffsetMs: 0,
    reconnecting: false,
    delayed: false,
    error: null,
    problem: null,
    paidAt: null,
    checks: 0,
    follower: false,
  };
}

function defaultEnvironment(): SessionEnvironment | null {
  const doc = (globalThis as { document?: Document }).document;
  const win = globalThis as unknown as Window;
  if (!doc || typeof win.addEventListener !== 'function') return null;
  return {
    isHidden: () => doc.visibilityState === 'hidden',
    isOnline: () => (globalThis.navigator?.onLine ?? true) !== false,
    onChange(callback) {
      const visibility = () => callback(doc.visibilityState === 'hidden' ? 'hidden' : 'visible');
      const online = () => callback('online');
      const offline = () => callback('offline');
      const pageshow = (e: Event) => (e as PageTransitionEvent).persisted && callback('pageshow');
      doc.addEventListener('visibilitychange', visibility);
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      win.addEventListener('pageshow', pageshow);
      return () => {
        doc.removeEventListener('visibilitychange', visibility);
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
        win.removeEventListener('pageshow', pageshow);
      };
    },
  };
}

/**
 * Watches one KHQR until it is paid, failed or expired: polls the proxy only after the previous
 * check settled, backs off on errors, checks at once when the page returns or the network comes
 * back, makes one check at expiry and keeps looking through a grace period, and corrects the
 * countdown with the server's clock. Time, I/O and the page are injected.
 * @example
 * const session = createCheckoutSession({ md5, expiresAt, endpoint: '/api/khqr/check' });
 * const stop = session.subscribe(() => render(session.getSnapshot()));
 */
export function createCheckoutSession(options: CheckoutSessionOptions): CheckoutSession {
  const policy: PollPolicy = { ...DEFAULT_POLICY, ...options.policy };
  const now = options.now ?? Date.now;
  const doFetch =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer =
    options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle as number));
  const random = options.random ?? Math.random;
  const environment =
    options.environment === undefined ? defaultEnvironment() : options.environment;
  const listeners = new Set<() => void>();

  let snapshot = idleSnapshot(options.md5, options.expiresAt);
  let startedAt = 0;
  let failures = 0;
  let retryAfterMs: number | undefined;
  let timer: unknown;
  let controller: AbortController | undefined;
  let sequence = 0;
  let sendQr = options.qr !== undefined;
  // Whether the proxy ever answered: else failing checks mean it is not there.
  let heard = false;
  // The HTTP status of the last check (set with no await before it is applied); 0: no answer.
  let answered = 0;
  // The signal the next check carries, until a check carrying it settles (not aborted).
  let signal: CheckSignal | undefined;
  let running = false;
  let destroyed = false;
  let leader = !options.lock;
  let releaseLock: (() => void) | undefined;
  let cleanups: Array<() => void> = [];

  const serverNow = () => now() + snapshot.serverOffsetMs;
  const location = (globalThis as { location?: Location }).location;

  function problem(kind: SessionProblem['kind'], status = 0): SessionProblem {
    let endpoint = options.endpoint;
    try {
      endpoint = new URL(endpoint, location?.href).href;
    } catch {
      // No page to resolve a relative endpoint against: as given.
    }
    const p = { kind, endpoint, origin: location?.origin ?? '', status };
    const detail = problemText(p);
    console.error(`[khqr-checkout] ${detail}`);
    return { ...p, detail };
  }
  const terminal = () => TERMINAL.includes(snapshot.state);

  function update(patch: Partial<SessionSnapshot>): void {
    const next = { ...snapshot, ...patch };
    if ((Object.keys(patch) as Array<keyof SessionSnapshot>).every((k) => next[k] === snapshot[k]))
      return;
    snapshot = next;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener written by a user must not break the machine.
      }
    }
  }

  function schedule(delay?: number): void {
    clearTimer(timer);
    timer = undefined;
    if (
      !running ||
      !leader ||
      terminal() ||
      snapshot.error ||
      (environment && !environment.isOnline())
    )
      return;
    const wait =
      delay ??
      nextPollDelay(
        {
          sinceStartMs: now() - startedAt,
          failures,
          hidden: environment?.isHidden() ?? false,
          untilExpiryMs: snapshot.expiresAt - serverNow(),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        },
        policy,
        random,
      );
    timer = setTimer(check, wait);
  }

  function apply(answer: CheckAnswer, sentAt?: number): void {
    if (terminal() || destroyed) return;
    if (answer.kind === 'status') {
      const patch: { -readonly [K in keyof SessionSnapshot]?: SessionSnapshot[K] } = {
        reconnecting: false,
        problem: null,
        delayed: answer.delayed === true,
        checks: snapshot.checks + 1,
      };
      if (answer.serverNow !== undefined && sentAt !== undefined) {
        patch.serverOffsetMs = Math.round(answer.serverNow - (sentAt + now()) / 2);
      }
      if (answer.expiresAt !== undefined) patch.expiresAt = answer.expiresAt;
      failures = 0;
      retryAfterMs = undefined;
      sendQr = false;
      let state: SessionState = answer.status;
      const offset = patch.serverOffsetMs ?? snapshot.serverOffsetMs;
      // Past the grace period the QR can no longer be paid, unless the server says it could not
      // ask Bakong yet (`delayed`): a payment may have come, and it confirms later.
      if (
        state === 'pending' &&
        !answer.delayed &&
        now() + offset > (patch.expiresAt ?? snapshot.expiresAt) + policy.graceMs
      )
        state = 'expired';
      if (state === 'paid') patch.paidAt = answer.paidAt ?? now() + offset;
      update({ ...patch, state });
      // A verdict this tab asked for was shared with the other tabs: it keeps the lock until it
      // is unmounted, so none of them takes over only to ask again.
      if (terminal()) stop(sentAt !== undefined);
    } else if (answer.kind === 'transport') {
      failures++;
      retryAfterMs = answer.retryAfterMs;
      update({
        reconnecting: true,
        // Nothing ever answered, three times in a row, on a device online: the server is not
        // there. The QR stays (it may be being paid) and checks go on.
        problem: heard
          ? null
          : (snapshot.problem ??
            (failures >= 3 && environment?.isOnline() !== false
              ? problem('unreachable', answered)
              : null)),
      });
      // Past the grace period with no answer at all: the QR can no longer be paid.
      if (serverNow() > snapshot.expiresAt + policy.graceMs * 2) {
        update({ state: 'expired', problem: null });
        stop();
      }
    } else {
      const { code, status } = answer;
      const named =
        code === 'origin_not_allowed' || code === 'endpoint_not_found'
          ? problem(code, status)
          : null;
      update({
        error: { code, message: named?.detail ?? answer.message, status },
        problem: named,
        reconnecting: false,
      });
      stop();
    }
  }

  async function check(): Promise<void> {
    timer = undefined;
    if (!running || terminal() || !leader) return;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const seq = ++sequence;
    const timeout = setTimer(() => mine.abort(), policy.requestTimeoutMs);
    const sentAt = now();
    let answer: CheckAnswer;
    try {
      const response = await doFetch(options.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        // Undefined fields are left out: `{md5}`, plus `qr` until accepted, plus `signal` once.
        body: JSON.stringify({ md5: options.md5, qr: sendQr ? options.qr : undefined, signal }),
        signal: mine.signal,
        credentials: 'same-origin',
      });
      const body = await response.json().catch(() => null);
      answered = response.status;
      answer = interpretAnswer(answered, body, response.headers.get('retry-after'));
      // Only the proxy's own answer (a verdict, or its `{error: {code}}` envelope, even on a 5xx)
      // shows it is there. HTML or other JSON, whatever the status (a gateway's 502 with the
      // proxy down, a catch-all page's 200), counts as no answer toward `unreachable`. A 200 too:
      // not stopped as `endpoint_not_found`, since a merchant's Bakong pass-through may send JSON
      // not read here, and checks going on keep a QR being paid confirmable; the console names it.
      heard ||=
        answer.kind !== 'transport' || typeof (body as ProxyError)?.error?.code === 'string';
    } catch {
      answered = 0;
      answer = { kind: 'transport' };
    } finally {
      clearTimer(timeout);
    }
    // A newer check started (checkNow) or the session stopped: this answer is stale.
    if (seq !== sequence || !running) return;
    controller = undefined;
    signal = undefined;
    // Shared before it is applied: a terminal answer stops this session and frees the tab lock,
    // and a waiting tab that took the lock before hearing the answer would ask once more.
    if (answer.kind === 'status') options.channel?.post({ md5: options.md5, answer });
    apply(answer, sentAt);
    schedule();
  }

  function start(): void {
    if (running || destroyed || terminal()) return;
    running = true;
    startedAt = now();
    if (snapshot.state === 'idle') update({ state: 'pending' });
    if (environment) {
      cleanups.push(
        environment.onChange((event) => {
          if (event === 'hidden') schedule();
          else if (event !== 'offline') checkNow(event === 'online' ? undefined : 'visible');
          else {
            clearTimer(timer);
            timer = undefined;
          }
        }),
      );
    }
    if (options.channel) {
      cleanups.push(
        options.channel.subscribe((message) => {
          if (message.md5 !== options.md5 || leader) return;
          apply(message.answer);
        }),
      );
    }
    if (options.lock) {
      update({ follower: true });
      void options.lock(`khqr-checkout:${options.md5}`).then((release) => {
        if (!running) {
          release();
          return;
        }
        releaseLock = release;
        leader = true;
        update({ follower: false });
        schedule(0);
      });
    } else {
      schedule(policy.firstDelayMs);
    }
  }

  function stop(keepLock = false): void {
    running = false;
    signal = undefined;
    clearTimer(timer);
    timer = undefined;
    controller?.abort();
    controller = undefined;
    for (const cleanup of cleanups) cleanup();
    cleanups = [];
    if (keepLock) return;
    releaseLock?.();
    releaseLock = undefined;
    leader = !options.lock;
  }

  function checkNow(next?: CheckSignal): void {
    if (!running || terminal() || !leader || snapshot.error) return;
    if (signal !== 'paid') signal = next ?? signal;
    sequence++;
    controller?.abort();
    controller = undefined;
    schedule(0);
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    getSnapshot: () => snapshot,
    checkNow,
    destroy() {
      destroyed = true;
      stop();
      listeners.clear();
    },
  };
}
