// Server-side commands the browser tests call through `commands` from 'vitest/browser'. They run
// in Vitest's main process, where the global setup left the running servers on globalThis (the
// config is loaded by plain Node, so nothing here may import workspace TypeScript at runtime).
import type { FaultSpec } from '@khqr-checkout/sandbox';
import type { BrowserCommand, BrowserCommandContext } from 'vitest/node';
import type { KhqrServers } from '../test-utils/khqr-servers.ts';

/** The servers of the project whose test called the command. */
function servers(ctx: BrowserCommandContext): KhqrServers {
  const running = (globalThis as { __khqrServers?: Record<string, KhqrServers> }).__khqrServers?.[
    ctx.project.name
  ];
  if (!running)
    throw new Error(
      `The khqr test servers of project ${ctx.project.name} are not running (scripts/browser-setup.ts starts them).`,
    );
  return running;
}
const ref = (qrOrMd5: string) =>
  /^[0-9a-f]{32}$/.test(qrOrMd5) ? { md5: qrOrMd5 } : { qr: qrOrMd5 };

export const sandboxPay: BrowserCommand<[qrOrMd5: string]> = async (ctx, qrOrMd5) => {
  servers(ctx).sandbox.pay(ref(qrOrMd5));
};
export const sandboxFail: BrowserCommand<[qrOrMd5: string]> = async (ctx, qrOrMd5) => {
  servers(ctx).sandbox.fail(ref(qrOrMd5));
};
export const sandboxFault: BrowserCommand<[spec: FaultSpec]> = async (ctx, spec) => {
  servers(ctx).sandbox.injectFault(spec);
};
export const sandboxClearFaults: BrowserCommand<[]> = async (ctx) => {
  servers(ctx).sandbox.clearFaults();
};
export const createCheckout: BrowserCommand<
  [input: { amount: number | string; currency: 'KHR' | 'USD'; ttl?: number }]
> = async (ctx, input) => servers(ctx).proxy.createCheckout(input);

declare module 'vitest/browser' {
  interface BrowserCommands {
    sandboxPay(qrOrMd5: string): Promise<void>;
    sandboxFail(qrOrMd5: string): Promise<void>;
    sandboxFault(spec: FaultSpec): Promise<void>;
    sandboxClearFaults(): Promise<void>;
    createCheckout(input: {
      amount: number | string;
      currency: 'KHR' | 'USD';
      ttl?: number;
    }): Promise<{ qr: string; md5: string; expiresAt: number; checkoutId: string }>;
  }
}
