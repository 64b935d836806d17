// Builds the drop-in file in memory from source with its own Vite config, for the places that
// serve it without `pnpm build` having run: the storefront, the drop-in tests, the benches and
// the card picture.
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/** The drop-in script's text, exactly what `dist/khqr-checkout.js` would hold. */
export async function buildDropIn(): Promise<string> {
  const result = await build({
    configFile: `${ROOT}vite.drop-in.config.ts`,
    root: ROOT,
    logLevel: 'silent',
    build: { write: false },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunk = outputs
    .flatMap((o) => o.output)
    .find((o) => o.type === 'chunk' && o.fileName === 'khqr-checkout.js');
  if (chunk?.type !== 'chunk') throw new Error('The drop-in build made no khqr-checkout.js.');
  return chunk.code;
}
