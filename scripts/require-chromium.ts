import { existsSync } from 'node:fs';

/** Browser tests need Debian's Chromium; fail loudly, never skip silently. */
export default function requireChromium(): void {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. The browser tests need it: run "sudo apt-get update && sudo apt-get install -y chromium" (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
}
