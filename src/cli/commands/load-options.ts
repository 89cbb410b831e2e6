// `directearn load`'s flags and variables settled into one checked request: the LoadOptions runLoad
// takes as they are (it checks none again), or what --emit-k8s writes, and where --markdown goes.
import { resolve } from 'node:path';
import { formatUserPass } from '../../input/credentials.js';
import { parseRegression } from '../../load/baseline.js';
import { k6MemoryCeilingBytes } from '../../load/k6-memory.js';
import type { LoadOptions, LoadScenario } from '../../load/options.js';
import { type LoadSummary, readSummary } from '../../load/summary.js';
import { type CliIO, parseFlags, UsageError } from '../command.js';
import {
  batchSizesFlag,
  CREDENTIAL_FLAGS,
  credentialOptions,
  customersCsvFlag,
  durationFlag,
  type FlagValues,
  IDENTITY_FLAGS,
  identityOptions,
  intFlag,
  outputDirFlag,
  outputFileFlag,
  SLO_FLAGS,
  sloFlags,
  TARGET_FLAGS,
  text,
  trafficTarget,
} from '../flags.js';

export const LOAD_FLAGS = {
  ...TARGET_FLAGS,
  ...CREDENTIAL_FLAGS,
  ...IDENTITY_FLAGS,
  ...SLO_FLAGS,
  scenario: { type: 'string' },
  'batch-sizes': { type: 'string' },
  duration: { type: 'string' },
  'provider-rate-limit': { type: 'string' },
  'rate-max': { type: 'string' },
  'max-vus': { type: 'string' },
  'arrival-rate': { type: 'string' },
  runners: { type: 'string' },
  'customers-csv': { type: 'string' },
  baseline: { type: 'string', multiple: true },
  repeat: { type: 'string' },
  markdown: { type: 'string' },
  'max-regression': { type: 'string' },
  quiet: { type: 'boolean' },
  out: { type: 'string' },
  'emit-k8s': { type: 'string' },
} as const;

/** Everything `directearn load` was asked, settled: a run, or the manifests --emit-k8s writes instead. */
export interface LoadRequest {
  /** What runLoad takes (without onOutput, which the command adds). */
  options: LoadOptions & { scenario: LoadScenario; cwd: string; env: NodeJS.ProcessEnv };
  /** --emit-k8s: the folder (absolute) and the text given, instead of a run. */
  emitK8s?: { dir: string; shown: string };
  /** --markdown: where the baseline comparison goes (absolute), checked writable. */
  markdown?: string;
}

const SCENARIOS: readonly LoadScenario[] = ['throughput', 'rate', 'smoke'];

/** argv (with `-- K6_ARGS`) and the environment into one LoadRequest; a UsageError names the first bad flag. */
export function settleLoad(allArgs: string[], io: CliIO): LoadRequest {
  // Everything after `--` is k6's.
  const split = allArgs.indexOf('--');
  const args = split < 0 ? allArgs : allArgs.slice(0, split);
  const k6Args = split < 0 ? [] : allArgs.slice(split + 1);
  const { values } = parseFlags(args, LOAD_FLAGS);
  const scenario = text(values.scenario) ?? 'throughput';
  if (!SCENARIOS.includes(scenario as LoadScenario))
    throw new UsageError(`--scenario must be throughput, rate or smoke, got "${scenario}"`);
  const s = scenario as LoadScenario;
  // Checked before anything is sent (the preflight issues customers): a bad ceiling is exit 2.
  k6MemoryCeilingBytes(io.env);
  const target = trafficTarget(values, io.env);
  const duration = durationFlag(values.duration, '--duration');
  const numbers = runNumbers(values, s, target);
  const { basic, ...credentials } = credentialOptions(values, io.env, true);
  const customersCsv = customersCsvFlag(values['customers-csv'], io.cwd);
  const out = outputDirFlag(values.out, '--out', io.cwd);
  const markdown = outputFileFlag(values.markdown, '--markdown', io.cwd);
  const batchSizes = batchSizesFlag(values['batch-sizes']);
  const identity = identityOptions(values, io.env);
  const slos = sloFlags(values, io.cwd);
  const comparison = baselineOptions(values, io.cwd, markdown !== undefined);
  const options: LoadRequest['options'] = {
    ...identity,
    ...comparison,
    ...numbers,
    ...credentials,
    ...(basic !== undefined ? { basic: formatUserPass(basic) } : {}),
    k6Args,
    quiet: values.quiet === true,
    scenario: s,
    ...(target !== undefined ? { target } : {}),
    ...(batchSizes !== undefined ? { batchSizes } : {}),
    ...(duration !== undefined ? { duration } : {}),
    ...(customersCsv !== undefined ? { customersCsv } : {}),
    ...(slos.length > 0 ? { slos } : {}),
    ...(out !== undefined ? { out } : {}),
    cwd: io.cwd,
    env: io.env,
  };
  const emit = text(values['emit-k8s']);
  if (emit !== undefined) {
    if (target === undefined)
      throw new UsageError('--emit-k8s needs --target: the runner pods load that host');
    if (credentials.oauth !== undefined)
      throw new UsageError(
        '--emit-k8s cannot take --oauth-key/--oauth-secret: the manifests would hold the secret; use --token',
      );
  }
  return {
    options,
    ...(emit !== undefined ? { emitK8s: { dir: resolve(io.cwd, emit), shown: emit } } : {}),
    ...(markdown !== undefined ? { markdown } : {}),
  };
}

/** The numeric flags of a run, each in its range and for the scenarios it applies to. */
function runNumbers(
  values: FlagValues,
  scenario: LoadScenario,
  target: string | undefined,
): Pick<LoadOptions, 'providerRateLimit' | 'rateMaxRps' | 'maxVus' | 'arrivalRate' | 'runners'> {
  const providerRateLimit = intFlag(values['provider-rate-limit'], '--provider-rate-limit', 1, 1_000_000);
  if (providerRateLimit !== undefined && target !== undefined)
    throw new UsageError('--provider-rate-limit configures the embedded provider; drop it or --target');
  const rateMaxRps = intFlag(values['rate-max'], '--rate-max', 2, 100_000);
  const maxVus = intFlag(values['max-vus'], '--max-vus', 1, 10_000);
  const arrivalRate = intFlag(values['arrival-rate'], '--arrival-rate', 1, 1_000_000);
  if (arrivalRate !== undefined && scenario !== 'throughput')
    throw new UsageError('--arrival-rate is for the throughput scenario');
  const runners = intFlag(values.runners, '--runners', 1, 64);
  if (runners !== undefined && runners > 1 && scenario === 'smoke')
    throw new UsageError('--runners: the smoke runs on one runner');
  return {
    ...(providerRateLimit !== undefined ? { providerRateLimit } : {}),
    ...(rateMaxRps !== undefined ? { rateMaxRps } : {}),
    ...(maxVus !== undefined ? { maxVus } : {}),
    ...(arrivalRate !== undefined ? { arrivalRate } : {}),
    ...(runners !== undefined ? { runners } : {}),
  };
}

/** --baseline (read now), --max-regression and --repeat; --markdown needs a baseline to write. */
function baselineOptions(
  values: FlagValues,
  cwd: string,
  markdown: boolean,
): Pick<LoadOptions, 'baseline' | 'maxRegression' | 'repeat'> {
  const regressionText = text(values['max-regression']);
  const maxRegression = regressionText === undefined ? undefined : parseRegression(regressionText);
  if (regressionText !== undefined && maxRegression === undefined)
    throw new UsageError(`--max-regression must be a percentage like 10%, got "${regressionText}"`);
  const paths = (values.baseline as string[] | undefined) ?? [];
  let baseline: LoadSummary[] | undefined;
  if (paths.length > 0) {
    try {
      baseline = paths.map((p) => readSummary(resolve(cwd, p), '--baseline'));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (maxRegression !== undefined) throw new UsageError('--max-regression goes with --baseline');
  if (markdown && baseline === undefined)
    throw new UsageError('--markdown writes the --baseline comparison: give --baseline too');
  const repeat = intFlag(values.repeat, '--repeat', 1, 20);
  return {
    ...(baseline !== undefined ? { baseline } : {}),
    ...(maxRegression !== undefined ? { maxRegression } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
  };
}
