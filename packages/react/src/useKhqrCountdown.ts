import { useSyncExternalStore } from 'react';

// One ticker for every countdown on the page.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let now = Date.now();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * Milliseconds left until `expiresAt` on the server's clock (device clock + `serverOffsetMs`),
 * updated every second. During server rendering it reads the clock once.
 */
export function useKhqrCountdown(expiresAt: number, serverOffsetMs = 0): number {
  const current = useSyncExternalStore(subscribe, () => now, Date.now);
  return Math.max(0, expiresAt - (current + serverOffsetMs));
}
