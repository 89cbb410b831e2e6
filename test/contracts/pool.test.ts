// The ID pool never issues a customer twice: two `verify` runs at once on one states file draw
// different customers, a run SIGKILLed after it started sending leaves every customer it sent
// recorded, a run that sent nothing gives its customers back, and the record is never written
// through a symbolic link. The prepared host's ledger (what it really issued) is the proof.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { startProvider } from '../../src/provider/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

/** Customers one run draws with the committed pacts (docs/states.md "ID pool"). */
const PER_RUN = 9;
const POOL = 4 * PER_RUN;
/** The prepared host's pool customers are 10000 and up. */
const isPool = (id: number) => id >= 10_000;

let host: Awaited<ReturnType<typeof startProvider>>;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  host = await startProvider({ host: '127.0.0.1', port: 0, fixtures: preparedFixtures(POOL) });
  dir = mkdtempSync(join(tmpdir(), 'directearn-pool-'));
  writeFileSync(join(dir, 'states.yaml'), stringify(preparedStates(POOL)));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) killGroup(c);
  await host.close();
});

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

const record = () => join(dir, 'states.yaml.pool-used.json');
const recorded = (): string[] =>
  existsSync(record()) ? (JSON.parse(readFileSync(record(), 'utf8')) as { used: string[] }).used : [];
/** Pool customers the host issued to, with how many earns each. */
function earned(): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of host.provider.ledger())
    if (isPool(e.customerId)) counts.set(e.customerId, (counts.get(e.customerId) ?? 0) + 1);
  return counts;
}

const verifyArgs = (extra: readonly string[] = ALL_CREDENTIAL_FLAGS) => [
  'verify',
  '--target',
  host.url,
  '--states',
  'states.yaml',
  ...extra,
];

async function verifyInProcess(extra?: readonly string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(verifyArgs(extra), io);
  return { code, out: [...io.stdout, ...io.stderr].join('\n') };
}

/** `directearn verify` as its own process (its own process group, so a kill reaches pact-verifier). */
function verifyChild(): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(VITEST.*|DIRECTEARN_.*|NODE_ENV|TEST)$/.test(k)) env[k] = v;
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'directearn.js'), ...verifyArgs()], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out })),
  );
  return { child, done };
}

describe('the ID pool never issues a customer twice', () => {
  it('two verify runs at once (two processes) on one states file draw disjoint customers', async () => {
    const [a, b] = await Promise.all([verifyChild().done, verifyChild().done]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const counts = earned();
    // Each run issues to 9 distinct customers (one of them twice): shared draws would show fewer.
    expect(counts.size).toBe(2 * PER_RUN);
    expect([...counts.values()].sort()).toEqual([...Array(2 * PER_RUN - 2).fill(1), 2, 2]);
    expect(new Set(recorded())).toEqual(new Set([...counts.keys()].map(String)));
  }, 60_000);

  it('a run SIGKILLed after the host issued its first earn left every customer it sent recorded', async () => {
    const run = verifyChild();
    // Killed (with pact-verifier, its process group) as soon as the host has issued to a pool
    // customer: between a send and the end of the run, where the record used to be written.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (earned().size > 0) {
          clearInterval(timer);
          killGroup(run.child);
          resolve();
        } else if (run.child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error('verify ended before it issued anything'));
        }
      }, 2);
    });
    await run.done;
    const firstRun = earned();
    expect(firstRun.size).toBeGreaterThan(0);
    const used = new Set(recorded());
    for (const id of firstRun.keys()) expect(used.has(String(id)), `customer ${id} recorded`).toBe(true);

    const next = await verifyInProcess();
    expect(next.code, next.out).toBe(0);
    const after = earned();
    // No customer of the killed run earned again: each still has the count the killed run gave it.
    for (const [id, n] of firstRun) expect(after.get(id), `customer ${id}`).toBe(n);
    expect(after.size).toBeGreaterThanOrEqual(firstRun.size + PER_RUN);
  }, 60_000);

  it('a run that sent nothing (every credential refused at the preflight) consumes nothing', async () => {
    const r = await verifyInProcess(['--basic', 'nobody:wrong']);
    expect(r.code, r.out).toBe(3);
    expect(earned().size).toBe(0);
    expect(recorded()).toEqual([]);
    // The next run still has the whole pool.
    const next = await verifyInProcess();
    expect(next.code, next.out).toBe(0);
    expect(next.out).toContain(
      `ID pool: ${PER_RUN} of ${POOL} customers used (${PER_RUN} per run): 3 more run(s) left`,
    );
  }, 60_000);

  it.each([
    ['an existing file', true],
    ['nothing (dangling)', false],
  ])('refuses a pool record that is a symbolic link to %s, before anything is sent', async (_, exists) => {
    const elsewhere = join(dir, 'elsewhere.json');
    if (exists) writeFileSync(elsewhere, 'keep me\n');
    symlinkSync(elsewhere, record());
    const r = await verifyInProcess();
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('the ID pool record is a symbolic link');
    expect(earned().size).toBe(0);
    if (exists) expect(readFileSync(elsewhere, 'utf8')).toBe('keep me\n');
    else expect(existsSync(elsewhere)).toBe(false);
  });
});

describe('states files', () => {
  it('are refused past 1 MiB at once (exit 2), naming the file and the cap', async () => {
    const big = join(dir, 'big.yaml');
    const customers = Array.from(
      { length: 14_000 },
      (_, i) => `    - { customerId: ${500_000 + i}, mobile: "91980000${i}", email: "c${i}@example.com" }`,
    );
    writeFileSync(big, `pool:\n  customers:\n${customers.join('\n')}\n`);
    const io = captureIO({ cwd: dir });
    expect(
      await main(['verify', '--target', host.url, '--states', 'big.yaml', ...ALL_CREDENTIAL_FLAGS], io),
    ).toBe(2);
    expect(io.stderr.join('\n')).toBe(`directearn verify: cannot read states file ${big}: larger than 1 MiB`);
    expect(earned().size).toBe(0);
  });
});
