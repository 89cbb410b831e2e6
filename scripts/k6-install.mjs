// `npm run k6:install`: build the pinned k6 with Go into the user tool cache (~/.cache/directearn-tools/),
// printing a progress line at least every 5 s; exit 3 when Go is missing or the build fails.
import { installK6 } from '../dist/load/k6.js';

try {
  const path = await installK6((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${path}\n`);
} catch (e) {
  process.stderr.write(`k6:install: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 3;
}
