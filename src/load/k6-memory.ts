// The memory ceiling of every k6 process the suite starts: k6 has no cap on the size of an answer it
// reads, only a timeout, so a target answering without end (or far too much) grows k6 until the
// machine runs out. A watchdog samples k6's resident memory and kills it over the ceiling.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { K6_VARS } from '../config/k6-contract.js';
import { UsageError, UserFacingError } from '../errors.js';

/** The variable that sets the ceiling, in MiB. */
export const K6_MEMORY_ENV = 'DIRECTEARN_K6_MEMORY_MIB';

/**
 * Default ceiling per k6 process: DEFAULT_K6_MEMORY_BASE_MIB plus DEFAULT_K6_MEMORY_PER_VU_MIB per VU
 * of its --max-vus, as k6 holds each VU's bodies and answers. Measured at its peak (docs/real-host.md
 * "Bounds"): 230 MiB for `load --scenario throughput` (16 VUs, batch 1 to 1000, GOGC 400), 528 MiB
 * for `capacity` (500 VUs at batch 10, past the knee); the defaults (1088 and 3024 MiB) are 4.7 and
 * 5.7 times that, and stop a flood long before a CI machine's memory is gone.
 */
export const DEFAULT_K6_MEMORY_BASE_MIB = 1024;
export const DEFAULT_K6_MEMORY_PER_VU_MIB = 4;

/** Bounds of the variable: 16 MiB (below any k6: it is killed at once, the tests' value) to 1 TiB. */
const MIN_MIB = 16;
const MAX_MIB = 1024 * 1024;

/** How often k6's resident memory is sampled. */
export const K6_MEMORY_SAMPLE_MS = 200;

/**
 * The ceiling in bytes of a k6 started with `env`: DIRECTEARN_K6_MEMORY_MIB when set, else the default
 * for its DIRECTEARN_MAX_VUS (k6/contract.ts). A DIRECTEARN_K6_MEMORY_MIB that is not a whole number
 * of MiB from 16 to 1048576 is a UsageError naming the variable (exit 2).
 */
export function k6MemoryCeilingBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[K6_MEMORY_ENV];
  if (raw === undefined || raw.trim() === '') {
    const vus = Number(env[K6_VARS.maxVus.env]);
    const maxVus = Number.isInteger(vus) && vus >= 1 ? vus : K6_VARS.maxVus.fallback;
    return (DEFAULT_K6_MEMORY_BASE_MIB + DEFAULT_K6_MEMORY_PER_VU_MIB * maxVus) * 1024 * 1024;
  }
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < MIN_MIB || n > MAX_MIB)
    throw new UsageError(
      `${K6_MEMORY_ENV} must be a whole number of MiB from ${MIN_MIB} to ${MAX_MIB}, got ${JSON.stringify(raw)}`,
    );
  return n * 1024 * 1024;
}

/** The error a run fails with when its k6 went over the ceiling: exit 1, a bound the target broke. */
export class K6MemoryError extends UserFacingError {
  override name = 'K6MemoryError';
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MiB`;

/** The one line of a k6 killed over the ceiling. */
export function memoryTripMessage(rssBytes: number, ceilingBytes: number): string {
  return `the target broke a bound: k6 was killed at ${mib(rssBytes)} of resident memory, over the ceiling of ${mib(ceilingBytes)} (${K6_MEMORY_ENV}); the target's answers are the likely cause (one without end, or far too large)`;
}

/**
 * Resident memory of process `pid`, bytes: VmRSS of /proc/PID/status on Linux, `ps -o rss=`
 * elsewhere (macOS, the BSDs); undefined once the process is gone or when neither can be read.
 */
export async function residentBytes(pid: number): Promise<number | undefined> {
  if (process.platform === 'linux') {
    try {
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], { timeout: 2_000 }, (error, stdout) => {
      const kb = Number(stdout.trim());
      resolve(error === null && stdout.trim() !== '' && Number.isFinite(kb) ? kb * 1024 : undefined);
    });
  });
}

/**
 * Samples `pid`'s resident memory every K6_MEMORY_SAMPLE_MS; the first sample over `ceilingBytes`
 * calls `over` with it (once) and sampling stops. Returns the function that stops the watch.
 */
export function watchMemory(
  pid: number,
  ceilingBytes: number,
  over: (rssBytes: number) => void,
  sample: (pid: number) => Promise<number | undefined> = residentBytes,
): () => void {
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    void sample(pid).then((rss) => {
      busy = false;
      if (stopped || rss === undefined || rss <= ceilingBytes) return;
      stopped = true;
      clearInterval(timer);
      over(rss);
    });
  }, K6_MEMORY_SAMPLE_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
