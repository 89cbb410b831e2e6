// `directearn capacity`'s flags and variables settled into the one CapacityOptions runCapacity takes
// as they are (it checks none again); a UsageError names the first bad flag, before any traffic.

import type { CapacityOptions } from '../../capacity/options.js';
import { formatUserPass } from '../../input/credentials.js';
import { isLoopbackUrl } from '../../input/loopback.js';
import { PREFLIGHT_CUSTOMERS } from '../../load/identity.js';
import { k6MemoryCeilingBytes } from '../../load/k6-memory.js';
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
  numberOption,
  outputDirFlag,
  SLO_FLAGS,
  sloFlags,
  TARGET_FLAGS,
  text,
  trafficTarget,
} from '../flags.js';

export const CAPACITY_FLAGS = {
  ...TARGET_FLAGS,
  ...CREDENTIAL_FLAGS,
  ...IDENTITY_FLAGS,
  ...SLO_FLAGS,
  'budget-customers': { type: 'string' },
  'batch-sizes': { type: 'string' },
  'step-duration': { type: 'string' },
  'cool-down': { type: 'string' },
  'start-rate': { type: 'string' },
  'max-rate': { type: 'string' },
  resolution: { type: 'string' },
  'max-steps': { type: 'string' },
  'max-vus': { type: 'string' },
  runners: { type: 'string' },
  'customers-csv': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function percent(raw: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
  const n = m === null ? Number.NaN : Number(m[1]) / 100;
  if (!(n > 0 && n < 1))
    throw new UsageError(`${flag} must be a percentage between 0% and 100% like 5%, got "${raw}"`);
  return n;
}

/** argv and the environment into the capacity search's options, and whether --json was asked. */
export function settleCapacity(args: string[], io: CliIO): { options: CapacityOptions; json: boolean } {
  const { values } = parseFlags(args, CAPACITY_FLAGS);
  // Checked before anything is sent (the preflight issues customers): a bad ceiling is exit 2.
  k6MemoryCeilingBytes(io.env);
  const target = trafficTarget(values, io.env);
  const batchSizes = batchSizesFlag(values['batch-sizes']);
  const { basic, ...credentials } = credentialOptions(values, io.env, true);
  const budgetCustomers = intFlag(
    values['budget-customers'],
    '--budget-customers',
    1,
    Number.MAX_SAFE_INTEGER,
  );
  // A real host (allowed by --allow-real-issue) is loaded only within a budget of customers.
  if (target !== undefined && !isLoopbackUrl(target) && budgetCustomers === undefined)
    throw new UsageError(
      '--allow-real-issue needs --budget-customers N: the most customers the search may send',
    );
  if (budgetCustomers !== undefined && budgetCustomers < PREFLIGHT_CUSTOMERS)
    throw new UsageError(
      `--budget-customers ${budgetCustomers} does not cover the preflight's ${PREFLIGHT_CUSTOMERS} customers`,
    );
  const search = searchOptions(values);
  const slos = sloFlags(values, io.cwd);
  const identity = identityOptions(values, io.env);
  const customersCsv = customersCsvFlag(values['customers-csv'], io.cwd);
  const out = outputDirFlag(values.out, '--out', io.cwd);
  const options: CapacityOptions = {
    ...identity,
    ...credentials,
    ...(basic !== undefined ? { basic: formatUserPass(basic) } : {}),
    ...search,
    ...(target !== undefined ? { target } : {}),
    ...(batchSizes !== undefined ? { batchSizes } : {}),
    ...(slos.length > 0 ? { slos } : {}),
    ...(budgetCustomers !== undefined ? { budgetCustomers } : {}),
    ...(customersCsv !== undefined ? { customersCsv } : {}),
    ...(out !== undefined ? { out } : {}),
    cwd: io.cwd,
    env: io.env,
  };
  return { options, json: values.json === true };
}

/** The search's steps, rates and generator: each flag in its range. */
function searchOptions(
  values: FlagValues,
): Pick<
  CapacityOptions,
  | 'stepSeconds'
  | 'coolDownSeconds'
  | 'startRate'
  | 'maxRate'
  | 'resolution'
  | 'maxSteps'
  | 'maxVus'
  | 'runners'
> {
  const rate = (k: 'start-rate' | 'max-rate') => {
    const raw = text(values[k]);
    return raw === undefined ? undefined : numberOption(raw, `--${k}`, 0, { min: 0.001, max: 100_000_000 });
  };
  const startRate = rate('start-rate');
  const maxRate = rate('max-rate');
  if (startRate !== undefined && maxRate !== undefined && startRate > maxRate)
    throw new UsageError(`--start-rate ${startRate} is above --max-rate ${maxRate}`);
  const step = durationFlag(values['step-duration'], '--step-duration', { wholeSeconds: true });
  const coolDown = durationFlag(values['cool-down'], '--cool-down', { allowZero: true });
  const resolution = text(values.resolution);
  const maxSteps = intFlag(values['max-steps'], '--max-steps', 2, 1000);
  const maxVus = intFlag(values['max-vus'], '--max-vus', 1, 10_000);
  const runners = intFlag(values.runners, '--runners', 1, 64);
  return {
    ...(step !== undefined ? { stepSeconds: step.seconds } : {}),
    ...(coolDown !== undefined ? { coolDownSeconds: coolDown.seconds } : {}),
    ...(startRate !== undefined ? { startRate } : {}),
    ...(maxRate !== undefined ? { maxRate } : {}),
    ...(resolution !== undefined ? { resolution: percent(resolution, '--resolution') } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(maxVus !== undefined ? { maxVus } : {}),
    ...(runners !== undefined ? { runners } : {}),
  };
}
