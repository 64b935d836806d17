// Enforces the size budgets (CI runs this through `pnpm test`).
import { readFileSync } from 'node:fs';
import { budgets, fileBudgets, gzipSize, measure } from './size-lib.mjs';

let failed = false;
for (const { name, code, limit, external } of budgets) {
  const { minified, gzip } = await measure(code, { external });
  const ok = gzip <= limit;
  failed ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${gzip} B min+gzip (${minified} B minified), budget ${limit} B`,
  );
}
for (const { name, file, limit } of fileBudgets) {
  const bytes = readFileSync(file);
  const gzip = gzipSize(bytes);
  const ok = gzip <= limit;
  failed ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${gzip} B min+gzip (${bytes.length} B minified), budget ${limit} B`,
  );
}
if (failed) {
  console.error(
    'A size budget is exceeded: shrink the code, or raise the budget in scripts/size-lib.mjs with a reason.',
  );
  process.exit(1);
}
