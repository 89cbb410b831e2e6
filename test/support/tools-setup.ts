// vitest globalSetup: the programs the tests drive, made ready once before any worker starts, so
// on a fresh machine a minutes-long `go install` or pip install never runs inside one test's
// timeout: k6 and oasdiff built with Go into the user tool cache, schemathesis into its venv, and
// the page tests' Chromium unpacked. Each is a no-op when already there; progress goes to stderr.
import { findOrBuildOasdiff } from '../../src/diff/oasdiff.js';
import { installK6 } from '../../src/load/k6.js';
import { installSchemathesis } from '../../src/tools/schemathesis.js';
import { findChromium } from './chromium.js';

export default async function setup(): Promise<void> {
  const say = (tool: string) => (line: string) => process.stderr.write(`[test setup: ${tool}] ${line}\n`);
  findChromium();
  // Go builds and pip run side by side: on a fresh machine the three take minutes, mostly waiting.
  await Promise.all([
    installK6(say('k6')),
    findOrBuildOasdiff(process.env, say('oasdiff')),
    installSchemathesis(say('schemathesis')),
  ]);
}
