// `pnpm bench`: every benchmark of the project, printed as tables with ratios.
import { benchKhqr } from './khqr.ts';

await benchKhqr();
