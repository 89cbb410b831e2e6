#!/usr/bin/env node
// The `directearn` executable: a thin shim over the built CLI (dist/cli/main.js).
import { existsSync } from 'node:fs';

// A reader that goes away (`directearn verify | head`) must not end a command with an EPIPE stack
// trace: output nobody reads is dropped and the command finishes, so its exit code still says
// whether what it checked holds (`set -o pipefail` sees it).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    process.exitCode = 1;
  });
}

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'directearn: the CLI is not built (dist/ is missing). In a clone run `npm run build`; an install from\n' +
      'a git URL builds it through `prepare` (npm needs the dev dependencies and may ask you to allow\n' +
      'the script: `npm install-scripts approve directearn-suite`); a tarball from `npm pack` ships it.\n',
  );
  process.exit(1);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
// The result is in: whatever a target left open (a socket it never closes, a timer of a library),
// the command ends within 2 s (docs/real-host.md "Bounds"). Unref'd: a command that is done exits at once.
setTimeout(() => process.exit(), 2_000).unref();
