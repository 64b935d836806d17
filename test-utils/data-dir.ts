// A fresh data directory for a proxy's embedded ledger in tests, benches and scripts, removed when
// the process exits: never the working directory's .khqr-data, which a demo may be using.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function temporaryDataDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `khqr-${name}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
