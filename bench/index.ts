// `pnpm bench`: every benchmark of the project, printed as tables with ratios.
import { benchElement } from './element.ts';
import { benchKhqr } from './khqr.ts';
import { benchProxy } from './proxy.ts';

await benchKhqr();
await benchProxy();
await benchElement();
