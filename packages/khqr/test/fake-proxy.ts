import type { CheckAnswer, SessionChannel, SessionEnvironment } from '@khqr-checkout/khqr/session';

/** One scripted answer of the fake proxy: JSON (a function is called at answer time), or a network failure. */
export type Scripted =
  | { status?: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'network-error';

/** A fetch that answers from a script (the last entry repeats) and records what it was sent. */
export function fakeFetch(script: Scripted[]) {
  const calls: Array<{ url: string; body: Record<string, unknown>; at: number }> = [];
  let index = 0;
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)), at: Date.now() });
    const step = script[Math.min(index++, script.length - 1)] as Scripted;
    if (step === 'network-error') throw new TypeError('Failed to fetch');
    if (step.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, step.delayMs);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    }
    const body = typeof step.body === 'function' ? (step.body as () => unknown)() : step.body;
    // A plain object rather than a Response: reading a real body takes browser tasks that fake
    // timers do not run.
    return {
      status: step.status ?? 200,
      headers: new Headers(step.headers ?? {}),
      json: async () => body ?? {},
    } as Response;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A page whose visibility and connectivity the test flips. */
export function fakeEnvironment() {
  let hidden = false;
  let online = true;
  const callbacks = new Set<
    (e: 'visible' | 'hidden' | 'online' | 'offline' | 'pageshow') => void
  >();
  const environment: SessionEnvironment = {
    isHidden: () => hidden,
    isOnline: () => online,
    onChange(callback) {
      callbacks.add(callback);
      return () => callbacks.delete(callback);
    },
  };
  const emit = (e: 'visible' | 'hidden' | 'online' | 'offline' | 'pageshow') => {
    if (e === 'hidden' || e === 'visible') hidden = e === 'hidden';
    if (e === 'online' || e === 'offline') online = e === 'online';
    for (const cb of callbacks) cb(e);
  };
  return { environment, emit };
}

/** Tabs of one browser: an exclusive lock per name and a broadcast channel. */
export function fakeTabs(deliveryMs?: number) {
  const holders = new Map<string, Array<() => void>>();
  const held = new Set<string>();
  const lock = (name: string) =>
    new Promise<() => void>((resolve) => {
      const grant = () => {
        held.add(name);
        resolve(() => {
          held.delete(name);
          holders.get(name)?.shift()?.();
        });
      };
      if (!held.has(name)) grant();
      else holders.set(name, [...(holders.get(name) ?? []), grant]);
    });
  const subscribers = new Set<(m: { md5: string; answer: CheckAnswer }) => void>();
  const channel = (): SessionChannel => {
    const own = new Set<(m: { md5: string; answer: CheckAnswer }) => void>();
    return {
      // A BroadcastChannel delivers in a later task: `deliveryMs` makes that visible.
      post: (message) => {
        const deliver = () => {
          for (const s of subscribers) if (!own.has(s)) s(message);
        };
        if (deliveryMs === undefined) deliver();
        else setTimeout(deliver, deliveryMs);
      },
      subscribe(callback) {
        own.add(callback);
        subscribers.add(callback);
        return () => {
          own.delete(callback);
          subscribers.delete(callback);
        };
      },
    };
  };
  return { lock, channel };
}
