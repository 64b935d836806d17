import { generateKhqr, type KhqrInput } from '@khqr-checkout/khqr';
import { DEV_TOKEN, type Sandbox, type SandboxOptions, startSandbox } from '@khqr-checkout/sandbox';

/** What an HTTP call to the sandbox answered. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | null;
}

/** POSTs JSON to `path` (a Bakong endpoint unless it starts with /), with the dev token by default. */
export async function call(
  sandbox: Sandbox,
  path: string,
  body: unknown,
  init: { token?: string | null; contentType?: string; method?: string; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': init.contentType ?? 'application/json',
  };
  const token = init.token === undefined ? DEV_TOKEN : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${sandbox.url}${path.startsWith('/') ? path : `/v1/${path}`}`, {
    method: init.method ?? 'POST',
    headers,
    ...(init.method === 'GET' || init.method === 'HEAD'
      ? {}
      : { body: init.raw ?? JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A dynamic KHQR made at the sandbox's current time. */
export function dynamicQr(sandbox: Sandbox, input: Partial<KhqrInput> = {}) {
  return generateKhqr({
    bakongAccountId: 'coffee_shop@devb',
    merchantName: 'Sok Coffee',
    currency: 'USD',
    amount: '2.50',
    now: sandbox.clock.now(),
    ...input,
  });
}

/** Starts a sandbox on a free loopback port. */
export const start = (options: SandboxOptions = {}) => startSandbox({ port: 0, ...options });
