// The Bakong sandbox, from its package, for development and these tests.
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';

const sandbox = await startSandbox({ port: 0 });
console.log(`sandbox ${sandbox.url} token ${DEV_TOKEN}`);
