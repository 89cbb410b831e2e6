// The one browser finder of every page test and screenshot: $CHROMIUM_PATH, then a Chromium on PATH,
// then the Chromium that the npm package @sparticuz/chromium ships (a devDependency; no root, no apt).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Names a Chromium-family browser goes by on PATH, most specific first. */
export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** Where a browser was found, and what it needs to start. */
export interface FoundChromium {
  path: string;
  source: 'CHROMIUM_PATH' | 'PATH' | '@sparticuz/chromium';
  /** Extra switches this build needs. */
  args: string[];
  /** Extra environment (the npm build brings its own fonts). */
  env: Record<string, string>;
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of PATH_NAMES) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

const require = createRequire(import.meta.url);

/**
 * Unpacks @sparticuz/chromium (brotli archives, ~200 MB unpacked) once per machine into
 * <tmp>/directearn-chromium-<version>/. The package always unpacks into os.tmpdir(), so a child
 * process does it with TMPDIR pointing at a staging folder, renamed into place when complete: parallel
 * test workers and an interrupted unpack never leave a half-written browser behind.
 */
function sparticuz(): FoundChromium | undefined {
  let version: string;
  try {
    // The package's exports hide package.json: read it beside the resolved entry (build/cjs/index.cjs).
    const entry = require.resolve('@sparticuz/chromium');
    version = (
      JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return undefined; // not installed (npm ci --omit=dev)
  }
  const dir = join(tmpdir(), `directearn-chromium-${version}`);
  const binary = join(dir, 'chromium');
  if (!existsSync(binary)) {
    mkdirSync(tmpdir(), { recursive: true });
    const staging = mkdtempSync(join(tmpdir(), `directearn-chromium-${version}.unpacking-`));
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await (await import('@sparticuz/chromium')).default.executablePath();"],
      { cwd: process.cwd(), env: { ...process.env, TMPDIR: staging }, encoding: 'utf8', timeout: 300_000 },
    );
    if (run.status !== 0 || !existsSync(join(staging, 'chromium'))) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `could not unpack @sparticuz/chromium ${version}: ${(run.stderr ?? '').trim().split('\n').at(-1)}`,
      );
    }
    // The package's fonts.conf names /tmp/fonts; ours names where the fonts are, plus the system's.
    writeFileSync(
      join(staging, 'fonts', 'directearn-fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another worker finished first
    }
  }
  return {
    path: binary,
    source: '@sparticuz/chromium',
    // Not the package's `args`: those are for AWS Lambda (--single-process, --disable-web-security)
    // and make the browser less like a user's; this build renders our pages without them.
    args: [],
    env: { FONTCONFIG_FILE: join(dir, 'fonts', 'directearn-fonts.conf') },
  };
}

/**
 * The browser page tests use: $CHROMIUM_PATH (an error if it names no file), else the first of
 * PATH_NAMES on PATH, else the npm-shipped Chromium; undefined when there is none at all.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): FoundChromium | undefined {
  const pinned = env.CHROMIUM_PATH;
  if (pinned !== undefined && pinned !== '') {
    if (!existsSync(pinned)) throw new Error(`CHROMIUM_PATH=${pinned} does not exist`);
    return { path: pinned, source: 'CHROMIUM_PATH', args: [], env: {} };
  }
  const found = onPath(env);
  if (found !== undefined) return { path: found, source: 'PATH', args: [], env: {} };
  return sparticuz();
}

let cached: FoundChromium | undefined;

/** A headless persistent context of the found browser, started as this machine needs it. */
export function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  cached ??= findChromium();
  if (cached === undefined) {
    throw new Error(
      'no Chromium: set CHROMIUM_PATH, put chromium on PATH, or run npm ci (it installs @sparticuz/chromium)',
    );
  }
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: cached.path,
    headless: true,
    env: { ...process.env, ...cached.env },
    ...(options.viewport ? { viewport: options.viewport } : {}),
    args: [
      ...cached.args,
      // As root (CI containers) Chromium refuses to start with its sandbox; the pages are our own.
      '--no-sandbox',
      '--disable-gpu',
      // A closed network refuses these background connections; they only slow the start.
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
