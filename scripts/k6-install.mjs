// `npm run k6:install`: go install the pinned k6 into the user-level cache (~/.cache/directearn-tools/).
import { installK6 } from '../dist/load/k6.js';

try {
  const path = await installK6((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${path}\n`);
} catch (e) {
  process.stderr.write(`k6:install: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
