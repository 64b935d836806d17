// The proxy as a Fetch handler under /api/khqr (its basePath): POST check and deeplink, GET
// health and livez, and OPTIONS, which Next would otherwise answer itself (a CORS preflight
// without the proxy's headers).
import type { RequestContext } from '@khqr-checkout/proxy';
import { khqrProxy } from '@/lib/khqr';

/**
 * Who is asking, for the proxy's per-client limits: the last X-Forwarded-For entry, the address
 * the hop in front of Next saw (Next itself sets the header to the socket's peer when no hop did).
 * Without a reverse proxy in front that sets it, a client can write its own.
 */
function context(request: Request): RequestContext {
  // string | undefined: RequestContext takes it under exactOptionalPropertyTypes.
  const clientIp = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() || undefined;
  return { clientIp };
}

const handle = (request: Request) => khqrProxy().handler(request, context(request));

export { handle as GET, handle as OPTIONS, handle as POST };
