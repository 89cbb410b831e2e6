#!/usr/bin/env node
// The `directearn` executable: a thin shim over the built CLI (dist/cli/main.js).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'directearn: the CLI is not built yet; run `npm run build` in the suite folder first.\n',
  );
  process.exit(1);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
