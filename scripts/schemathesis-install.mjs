// `npm run schemathesis:install`: the pinned schemathesis into a venv in the user tool cache (~/.cache/directearn-tools/).
// test/check/schemathesis.test.ts does the same on first run; this is for CI images that prepare the cache in advance.
import { installSchemathesis } from '../dist/tools/schemathesis.js';

try {
  const path = await installSchemathesis((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${path}\n`);
} catch (e) {
  process.stderr.write(`schemathesis:install: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 3;
}
