// Runs once when the server starts (never at build time): the proxy is made then, not on the first
// request, so its background work starts with the server (settlements still owed to onPaid are
// delivered after a restart, open checkouts asked about) and the ledger is open before any page.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { khqrProxy } = await import('@/lib/khqr');
  await khqrProxy().ready();
}
