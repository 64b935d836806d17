// Enforces the size budgets (CI runs this through `pnpm test`, after `pnpm build`). The budgets hold
// on what users get, the published dist/ bundled by esbuild; the TypeScript source is measured
// beside it, and a dist/ bigger than its source means the build's emit adds code (target, class
// fields, helpers…): that fails too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { budgets, fileBudgets, gzipSize, measure, missingDist, ROOT } from './size-lib.mjs';

const missing = missingDist();
if (missing.length > 0) {
  console.error(
    `FAIL the size budgets are measured on the built packages, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: run pnpm build first.`,
  );
  process.exit(1);
}
for (const name of readdirSync(join(ROOT, 'packages'))) {
  const dist = join(ROOT, 'packages', name, 'dist');
  const built = statSafe(dist);
  const edited = newest(join(ROOT, 'packages', name, 'src'));
  if (built !== undefined && edited > built) {
    console.warn(
      `note packages/${name}/src is newer than its dist/: these sizes are of the last build.`,
    );
  }
}

// gzip varies by a few bytes between two equivalent bundles (identifier names): allow for that.
const slack = (bytes) => Math.max(32, Math.round(bytes / 100));
const B = (n) => `${n.toLocaleString('en-US')} B`;
let failed = false;
for (const { name, code, limit, external } of budgets) {
  const dist = await measure(code, { external });
  const source = await measure(code, { external, source: true });
  const delta = dist.gzip - source.gzip;
  const ok = dist.gzip <= limit && delta <= slack(source.gzip);
  failed ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${B(dist.gzip)} min+gzip (${B(dist.minified)} minified), budget ${B(limit)}; source ${B(source.gzip)} (dist ${delta >= 0 ? '+' : '−'}${Math.abs(delta)} B)`,
  );
  if (delta > slack(source.gzip)) {
    console.error(
      `     dist/ is ${delta} B bigger than the source: the build adds code the source does not have. Compare the two bundles and fix the emit (tsconfig.build.json).`,
    );
  }
}
for (const { name, file, limit } of fileBudgets) {
  const bytes = readFileSync(join(ROOT, file));
  const gzip = gzipSize(bytes);
  const ok = gzip <= limit;
  failed ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${B(gzip)} min+gzip (${B(bytes.length)} minified), budget ${B(limit)}`,
  );
}
if (failed) {
  console.error(
    'A size budget is exceeded: shrink the code, or raise the budget in scripts/size-lib.mjs with a reason.',
  );
  process.exit(1);
}

function statSafe(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The latest modification time of a non-test file under `dir`, 0 when there is none. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}
