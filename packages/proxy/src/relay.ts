// A relay: a standard HTTP forward proxy in Cambodia that Bakong's calls go through, for a shop
// hosted elsewhere. Every call opens an HTTP CONNECT tunnel to Bakong's host:port, so TLS (and the
// token inside it) goes end to end to Bakong and the relay only sees ciphertext.
import type { Dispatcher } from 'undici';

/**
 * The relay URL, checked: `http://` or `https://` (to the relay itself), `host:port` alone meaning
 * `http://host:port`. The error never repeats the URL: it may hold the relay's password.
 */
export function parseRelay(relay: string | URL): URL {
  let url: URL;
  try {
    url = new URL(
      typeof relay === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(relay)
        ? `http://${relay}`
        : relay,
    );
  } catch {
    throw new Error(
      '[khqr-proxy] The relay (bakong.relay, HTTPS_PROXY or HTTP_PROXY) is not a URL: use http://relay.example:8888 or http://user:password@relay.example:8888.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(
      `[khqr-proxy] The relay (bakong.relay, HTTPS_PROXY or HTTP_PROXY) must be an http:// or https:// forward proxy, not ${url.protocol}//.`,
    );
  if (url.pathname !== '/' || url.search || url.hash)
    throw new Error(
      '[khqr-proxy] The relay (bakong.relay, HTTPS_PROXY or HTTP_PROXY) is a forward proxy: give only its scheme, user, password, host and port.',
    );
  return url;
}

/** `host:port` of a relay, what /health and the logs show: never its user or password. */
export function relayAddress(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** The relay's credentials in every form they travel in, for the redacting logger. */
export function relaySecrets(url: URL): string[] {
  if (!url.username && !url.password) return [];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return [
    `${url.username}:${url.password}`,
    `${user}:${password}`,
    // The Proxy-Authorization value (Basic), encoded without Node's Buffer.
    btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`))),
    url.password,
    password,
  ].filter((s) => s !== '');
}

/** The standard proxy variables the standalone proxy reads (lower case first, as curl does). */
export interface ProxyEnv {
  HTTPS_PROXY?: string | undefined;
  https_proxy?: string | undefined;
  HTTP_PROXY?: string | undefined;
  http_proxy?: string | undefined;
  NO_PROXY?: string | undefined;
  no_proxy?: string | undefined;
}

/**
 * The relay the standard variables name for `baseUrl`: HTTPS_PROXY for an https base URL, HTTP_PROXY
 * for an http one (the sandbox), none when NO_PROXY matches its host (`*`, `host`, `.domain` or
 * `*.domain` for it and its subdomains, optionally `:port`; entries split on commas or spaces).
 * The base URL is one origin, so the choice is made once, at start, and /health can say which.
 */
export function relayFromEnv(baseUrl: string, env: ProxyEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const relay =
    url.protocol === 'https:'
      ? env.https_proxy || env.HTTPS_PROXY
      : url.protocol === 'http:'
        ? env.http_proxy || env.HTTP_PROXY
        : undefined;
  if (!relay) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const entry of (env.no_proxy || env.NO_PROXY || '').split(/[,\s]+/)) {
    if (entry === '') continue;
    if (entry === '*') return undefined;
    // `[::1]:443`, `host:443`, a bare IPv6 address, or a host.
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ??
      (entry.split(':').length === 2 ? /^(.+):(\d+)$/.exec(entry) : null) ?? [entry, entry];
    const name = (match[1] as string).replace(/^\*?\./, '').toLowerCase();
    if (match[2] !== undefined && Number(match[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return relay;
}

/** Codes of a failed TCP connection or name lookup: through a relay, only the relay is connected to. */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * What a failed call through the relay says about the relay: it refused the CONNECT (its status),
 * or it could not be connected to; null when the trouble was further on (Bakong, TLS, a reset).
 */
export function relayFailure(
  error: unknown,
): { reason: 'relay-refused'; status: number } | { reason: 'relay-unreachable' } | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift() as {
      message?: unknown;
      code?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const message = String(e.message ?? '');
    // undici's words for a CONNECT answered with anything but 200.
    const refused = /Proxy response \((\d{3})\)/.exec(message);
    if (refused) return { reason: 'relay-refused', status: Number(refused[1]) };
    if (/Proxy Authentication Required/i.test(message))
      return { reason: 'relay-refused', status: 407 };
    if (typeof e.code === 'string' && CONNECT_FAILURES.has(e.code))
      return { reason: 'relay-unreachable' };
    queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return null;
}

/** A Fetch that goes through the relay, and closes its tunnels. */
export interface RelayTransport {
  fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * undici's own `fetch` with its ProxyAgent as dispatcher (never Node's built-in fetch, whose
 * bundled undici is another version), tunnelling with CONNECT for http and https alike. undici is
 * loaded here only, so a proxy without a relay never loads it.
 */
export function relayTransport(relay: URL): RelayTransport {
  const loading = import('undici');
  loading.catch(() => undefined);
  let agent: Dispatcher | undefined;
  const relayFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const undici = await loading;
    agent ??= new undici.ProxyAgent({ uri: relay.href, proxyTunnel: true });
    const response = await undici.fetch(input as string, {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher: agent,
    });
    return response as unknown as Response;
  };
  return {
    fetch: relayFetch as typeof fetch,
    async close() {
      await agent?.close();
    },
  };
}
