// `directearn load --emit-k8s DIR`: the k6-operator TestRun and the ConfigMap of scripts for a run
// beyond one machine, written from the same options as a local run so nothing is edited by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
} from '../config/defaults.js';
import { UsageError, UserFacingError } from '../errors.js';
import { durationSeconds } from '../input/duration.js';
import { readInputText } from '../input/file.js';
import { exchangeDeadlineMs } from '../util/bounded-http.js';
import { prepareOutputFile } from '../util/output-path.js';
import { packageRoot } from '../util/package-root.js';
import { printable } from '../util/printable.js';
import { writeFileSafe } from '../util/safe-write.js';
import { smokeCases } from './cases.js';
import { type LoadIdentity, resolveIdentity } from './identity.js';
import { K6_VERSION } from './k6.js';
import { k6MemoryCeilingBytes } from './k6-memory.js';
import { k6Env, k6Gogc, scriptVars } from './script-vars.js';

/** Where the k6-operator mounts the ConfigMap in every runner pod (the script runs as /test/<file>). */
export const K8S_MOUNT = '/test';
/** The Secret the TestRun reads credentials from (keys `basic` and `token`); never written by us. */
export const K8S_CREDENTIALS_SECRET = 'directearn-load-credentials';
/** Default number of runner pods; `DIRECTEARN_K8S_PARALLELISM` changes it. */
export const DEFAULT_K8S_PARALLELISM = 4;
/** etcd refuses objects above ~1.5 MiB; a ConfigMap's data is kept below 1 MiB. */
const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

export interface K8sOptions {
  scenario: 'throughput' | 'rate' | 'smoke';
  /** Base URL the runner pods load (required: the embedded provider does not run in the cluster). */
  target: string;
  batchSizes?: number[];
  duration?: string;
  /** Concurrency of the whole test: k6 splits it between the runners with the arrival rate. */
  maxVus?: number;
  rateMaxRps?: number;
  /** A CSV of identifier values: copied into the ConfigMap as customers.csv. */
  customersCsv?: string;
  /** Program, promotion (or promoIdentifier) and identifierName (default the embedded provider's). */
  identity?: LoadIdentity;
  /** Throughput: a fixed arrival rate of the whole test, requests/s (k6 splits it between the runners). */
  arrivalRate?: number;
  /** Runner pods (default DEFAULT_K8S_PARALLELISM; smoke always 1). */
  parallelism?: number;
  /** Where a relative customersCsv is resolved. */
  cwd?: string;
  /** The environment GOGC is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface K8sManifests {
  name: string;
  configMap: Record<string, unknown>;
  testRun: Record<string, unknown>;
}

/** The scripts k6 runs: every .ts of load/ (they import each other by relative path). */
function scriptFiles(): Record<string, string> {
  const dir = join(packageRoot, 'k6');
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) files[file] = readFileSync(join(dir, file), 'utf8');
  }
  return files;
}

/** The runner count from `DIRECTEARN_K8S_PARALLELISM`, or undefined when unset. */
export function parallelismFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.DIRECTEARN_K8S_PARALLELISM;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw new UsageError(`DIRECTEARN_K8S_PARALLELISM must be a whole number from 1 to 1000, got "${raw}"`);
  }
  return Number(raw);
}

/** The ConfigMap and TestRun objects for `options` (nothing written). */
export function k8sManifests(options: K8sOptions): K8sManifests {
  const name = `directearn-${options.scenario}`;
  const data = scriptFiles();
  const env: Record<string, string> = scriptVars({
    target: options.target,
    identity: options.identity ?? resolveIdentity({}, {}),
    batchSizes: options.batchSizes ?? DEFAULT_BATCH_SIZES,
    duration: options.duration ?? DEFAULT_LOAD_DURATION,
    maxVus: options.maxVus ?? DEFAULT_LOAD_MAX_VUS,
    rateMaxRps: options.rateMaxRps ?? DEFAULT_LOAD_RATE_MAX_RPS,
    // Each runner prints its runner summary as one marked line in its log (k6/summary-outputs.ts), which
    // `directearn merge -` reads from `kubectl logs`.
    summaryFile: '-',
    // Those lines are merged: each runner reports the dense latency grid a merge needs.
    latencySketch: true,
    ...(options.arrivalRate !== undefined ? { arrivalRate: options.arrivalRate } : {}),
    gogc: k6Gogc(options.env ?? process.env),
  });
  // No relay beside a pod: each request has the exchange deadline as timeout (k6/bounds.ts).
  Object.assign(env, k6Env({ requestTimeoutMs: exchangeDeadlineMs(options.env ?? process.env) }));
  if (options.scenario === 'smoke') {
    data['smoke-cases.json'] = JSON.stringify(smokeCases({}).cases);
    env.DIRECTEARN_CASES_FILE = `${K8S_MOUNT}/smoke-cases.json`;
  }
  if (options.customersCsv !== undefined) {
    const csv = resolve(options.cwd ?? process.cwd(), options.customersCsv);
    let text: string;
    try {
      text = readInputText(csv, CONFIGMAP_LIMIT_BYTES);
    } catch (e) {
      throw new UserFacingError(
        `cannot read --customers-csv ${csv}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    data['customers.csv'] = text;
    env.DIRECTEARN_CUSTOMERS_CSV = `${K8S_MOUNT}/customers.csv`;
  }
  const bytes = Object.values(data).reduce((n, text) => n + Buffer.byteLength(text), 0);
  if (bytes > CONFIGMAP_LIMIT_BYTES) {
    throw new UserFacingError(
      `the ConfigMap would hold ${bytes} bytes, over Kubernetes' 1 MiB: use a shorter --customers-csv (or the generated customer range)`,
    );
  }
  const parallelism = options.scenario === 'smoke' ? 1 : (options.parallelism ?? DEFAULT_K8S_PARALLELISM);
  const credentials = (key: string, variable: string) => ({
    name: variable,
    valueFrom: { secretKeyRef: { name: K8S_CREDENTIALS_SECRET, key, optional: true } },
  });
  return {
    name,
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: { 'app.kubernetes.io/part-of': 'directearn-load' } },
      data,
    },
    testRun: {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name, labels: { 'app.kubernetes.io/part-of': 'directearn-load' } },
      spec: {
        parallelism,
        // One runner per node when there are several: runners sharing a node measure each other.
        separate: parallelism > 1,
        script: { configMap: { name, file: `${options.scenario}.ts` } },
        arguments: `--no-usage-report --tag testid=${name}`,
        runner: {
          image: `grafana/k6:${K6_VERSION.replace(/^v/, '')}`,
          // A hostile host's answers get the pod OOM-killed, not the node (runnerMemoryMib).
          resources: { limits: { memory: `${runnerMemoryMib(options, parallelism)}Mi` } },
          env: [
            ...Object.entries(env).map(([n, value]) => ({ name: n, value })),
            credentials('basic', 'DIRECTEARN_BASIC'),
            credentials('token', 'DIRECTEARN_TOKEN'),
          ],
        },
      },
    },
  };
}

/**
 * The memory limit of a runner pod, MiB: DIRECTEARN_K6_MEMORY_MIB, else the ceiling a local k6 has
 * (src/load/k6-memory.ts) for the VUs k6 gives one runner (its share of --max-vus). The pod's memory
 * request defaults to its limit.
 */
function runnerMemoryMib(options: K8sOptions, parallelism: number): number {
  const vus = Math.ceil((options.maxVus ?? DEFAULT_LOAD_MAX_VUS) / parallelism);
  const env = { ...(options.env ?? process.env), DIRECTEARN_MAX_VUS: String(vus) };
  return k6MemoryCeilingBytes(env) / (1024 * 1024);
}

/**
 * How long `kubectl wait` may wait for the TestRun: twice its scenarios' length (throughput: each
 * batch size's duration and graceful stop; rate: ramp, steady window and up to 60 s of recovery)
 * plus 10 minutes for pods to be scheduled and pull k6, so a TestRun that errors does not hang CI.
 */
function waitSeconds(options: K8sOptions): number {
  const d = durationSeconds(options.duration ?? DEFAULT_LOAD_DURATION) ?? 0;
  const batches = (options.batchSizes ?? DEFAULT_BATCH_SIZES).length;
  const run =
    options.scenario === 'throughput' ? batches * (d + 1) : options.scenario === 'rate' ? 3 * d + 60 : 60;
  return Math.ceil(2 * run + 600);
}

const HEADER = (what: string) =>
  `# Written by \`directearn load --emit-k8s\`: ${what}. Do not edit; emit it again instead.\n`;

/** Writes DIR/configmap.yaml and DIR/testrun.yaml; returns their paths and the commands to apply them. */
export function emitK8s(
  dir: string,
  options: K8sOptions,
  shown: string = dir,
): { files: string[]; commands: string[] } {
  const m = k8sManifests(options);
  const configMapPath = join(dir, 'configmap.yaml');
  const testRunPath = join(dir, 'testrun.yaml');
  // Checked like --out (no spinning on /proc, one line naming the flag) and file by file: a
  // manifest path that is a symbolic link is refused, never written through.
  prepareOutputFile(configMapPath, '--emit-k8s', shown);
  prepareOutputFile(testRunPath, '--emit-k8s', shown);
  const { parallelism } = m.testRun.spec as { parallelism: number };
  try {
    writeFileSafe(configMapPath, HEADER('the load scripts, mounted at /test') + stringify(m.configMap));
    // The header is a YAML comment: the target in it is one printable line (it was checked as a
    // URL already; this keeps a comment a comment whatever reaches here).
    writeFileSafe(
      testRunPath,
      HEADER(`${options.scenario} against ${printable(options.target)}, ${parallelism} runner(s)`) +
        stringify(m.testRun),
    );
  } catch (e) {
    throw new UserFacingError(
      `cannot write to --emit-k8s ${printable(shown)}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  return {
    files: [configMapPath, testRunPath],
    commands: [
      `kubectl create secret generic ${K8S_CREDENTIALS_SECRET} --from-literal=basic="$DIRECTEARN_BASIC"   # or --from-literal=token="$DIRECTEARN_TOKEN"`,
      `kubectl apply -f ${configMapPath} -f ${testRunPath}`,
      `kubectl wait --for=jsonpath='{.status.stage}'=finished testrun/${m.name} --timeout=${waitSeconds(options)}s`,
      `kubectl logs -l k6_cr=${m.name},runner=true --tail=-1 | directearn merge - --out reports/${m.name}`,
    ],
  };
}
