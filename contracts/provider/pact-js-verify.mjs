// Runs pact-js's Verifier against a fresh in-process reference provider and prints one line
// `RESULT {"replayed":N,"error":...}` last. verify.test.ts runs it as a child process: the native
// verifier writes its report (and, for a pact that must fail, its failures) straight to stdout,
// which only a child's captured output keeps off the test run's terminal.
// Usage: node contracts/provider/pact-js-verify.mjs [--empty] PACT_FILE...   (after npm run build)
import { Verifier } from '@pact-foundation/pact';
import { PACT_PROVIDER } from '../../dist/config/defaults.js';
import { ENDPOINT_PATH } from '../../dist/openapi/index.js';
import { startProvider } from '../../dist/provider/server.js';
import { STATE_NAMES } from '../../dist/states/index.js';

const empty = process.argv[2] === '--empty';
const urls = process.argv.slice(empty ? 3 : 2);
// --empty: no programs, no customers, so only the provider states can make each case true.
const target = await startProvider({
  host: '127.0.0.1',
  port: 0,
  ...(empty ? { fixtures: { programs: [], customers: [] } } : {}),
});
let replayed = 0;
let error = null;
try {
  // One handler per sentence of src/states; the provider is reset before each interaction and each
  // of its states then seeds its data (or lowers its limits, for the 413 and 429), which teardown restores.
  const stateHandlers = Object.fromEntries(
    STATE_NAMES.map((name) => [
      name,
      {
        setup: async (params) => {
          target.provider.setState(name, params ?? {});
        },
        teardown: async (params) => {
          target.provider.setState(name, params ?? {}, 'teardown');
        },
      },
    ]),
  );
  await new Verifier({
    provider: PACT_PROVIDER,
    providerBaseUrl: target.url,
    pactUrls: urls,
    stateHandlers,
    beforeEach: async () => target.provider.reset(),
    // An express middleware on pact-js's proxy: every replayed request passes here.
    requestFilter: (req, _res, next) => {
      if (req.path === ENDPOINT_PATH) replayed++;
      next();
    },
    logLevel: 'error',
  }).verifyProvider();
} catch (e) {
  error = e instanceof Error ? e.message : String(e);
} finally {
  await target.close();
}
process.stdout.write(`\nRESULT ${JSON.stringify({ replayed, error })}\n`);
