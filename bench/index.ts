// `pnpm bench`: every benchmark of the project, printed as tables with ratios;
// `pnpm bench khqr proxy element e2e settle budget` runs only the ones named.
import { benchBudget } from './budget.ts';
import { benchElement } from './element.ts';
import { benchEndToEnd } from './end-to-end.ts';
import { benchKhqr } from './khqr.ts';
import { benchProxy } from './proxy.ts';
import { benchSettle } from './settle.ts';

const benches: Record<string, () => Promise<void>> = {
  khqr: benchKhqr,
  proxy: benchProxy,
  element: benchElement,
  e2e: benchEndToEnd,
  settle: benchSettle,
  budget: benchBudget,
};
const names = process.argv.slice(2).filter((a) => a !== '--');
const unknown = names.filter((n) => !(n in benches));
if (unknown.length > 0) {
  console.error(
    `No such bench: ${unknown.join(', ')}. Choose from: ${Object.keys(benches).join(', ')}.`,
  );
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(benches))
  await (benches[name] as () => Promise<void>)();
