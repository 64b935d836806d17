// The Bakong sandbox, from its package, for development and these tests: `npm run sandbox`.
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';

const sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
console.log(`sandbox ${sandbox.url} token ${DEV_TOKEN}`);
