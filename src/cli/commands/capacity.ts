// `directearn capacity`: the most a host sustains under an SLO, per batch size, found by an open-model
// search (src/capacity/); capacity.json, capacity.html and one progress line per step.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { oauthOption } from '../../client/oauth.js';
import { LOAD_PROGRAM_ID, LOAD_PROMOTION_ID } from '../../config/defaults.js';
import { UnreachableError, UserFacingError } from '../../errors.js';
import { parseToken, parseUserPass } from '../../input/credentials.js';
import { isLoopbackUrl } from '../../input/loopback.js';
import { hostOf } from '../../input/url.js';
import { DEFAULT_SLO_TEXT, SLO_FIGURES } from '../../load/slo.js';
import { prepareOutputDir } from '../../util/output-path.js';
import {
  type Command,
  ExitCode,
  intOption,
  numberOption,
  optionSource,
  parseFlags,
  stringOption,
  targetOption,
  UsageError,
} from '../command.js';

const help = `Usage: directearn capacity [--target URL] [flags]

Finds, per batch size, the most issued customers per second the host sustains within the SLOs:
an open model (k6 constant-arrival-rate steps), exponential search up from --start-rate, then a
binary search between the last good and the first bad step, and a confirmation step at the rate
found. A step is good when the SLOs hold, no 429 came and k6 sent what it was asked to; when k6
could not (dropped iterations, fewer than 99% of the requests, VUs at --max-vus) the result is
"bound by the generator", never the host's capacity. Writes DIR/capacity.json and DIR/capacity.html.

  --target URL             the host (env DIRECTEARN_TARGET); default: the embedded reference
                           provider (which has no capacity of its own unless served with
                           \`directearn serve --capacity N\` and given here as --target)
  --allow-real-issue       allow a non-loopback --target: every request ISSUES REAL PROMOTIONS;
                           needs --budget-customers
  --budget-customers N     customers sent at most (preflight included); the search stops before a
                           step that would exceed it and says so
  --batch-sizes LIST       comma-separated (default 10,100,1000)
  --step-duration D        length of a step in whole seconds, e.g. 10s (default 10s)
  --cool-down D            pause between steps, e.g. 2s or 500ms (default 2s)
  --start-rate N           first offered rate, customers/s (default 100)
  --max-rate N             highest offered rate, customers/s; holding it ends as boundBy max-rate
                           (default 1000000)
  --resolution P           the binary search stops when bad and good are this close, e.g. 5%
                           (default 5%)
  --max-steps N            steps per batch size at most (default 16)
  --max-vus N              k6 VUs at most (default 500), over all the runners
  --runners N              each step as N k6 processes on this machine with the execution segments
                           the k6-operator gives N pods (default 1, at most 64), for more load than
                           one generator sends; their figures merged: counts summed, percentiles
                           from their latency sketches, the generator guard on the whole
  --slo EXPR               an SLO every step must hold (repeatable), as for \`load --slo\`: FIGURE OP
                           NUMBER with FIGURE one of ${Object.keys(SLO_FIGURES).join(' ')}.
                           Default: ${DEFAULT_SLO_TEXT.join(' ')}
  --slo-file FILE          SLOs one per line (# comments)
  --program ID, --promotion ID, --promo-identifier TEXT, --identifier-name NAME
                           what is issued, as for \`load\` (default program ${LOAD_PROGRAM_ID}, promotion ${LOAD_PROMOTION_ID})
  --customers-csv FILE     identifier values (first column, header line)
  --basic USER:PASS        Basic credentials (env DIRECTEARN_BASIC)
  --token TOKEN            a static OAuth token, sent as Bearer (env DIRECTEARN_TOKEN)
  --oauth-key KEY          OAuth key (env DIRECTEARN_OAUTH_KEY) and
  --oauth-secret SECRET    secret (env DIRECTEARN_OAUTH_SECRET): a token is generated at
                           /v3/oauth/token/generate before the run, sent in X-CAP-API-OAUTH-TOKEN,
                           and every k6 VU renews its own before ttlSeconds run out (at a random
                           point between half and four fifths of it). Never written to any file.
  --out DIR                where capacity.json and capacity.html go (default reports/capacity)
  --json                   print capacity.json to stdout (progress lines go to stderr either way)

Exit code: 0 a capacity was found for every batch size, 1 not for one of them (even the lowest
step broke the SLO, the generator or the budget bound it), 2 bad flags, 3 the target could not be
reached or refused the credentials.`;

const FLAGS = {
  target: { type: 'string' },
  'allow-real-issue': { type: 'boolean' },
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
  slo: { type: 'string', multiple: true },
  'slo-file': { type: 'string' },
  program: { type: 'string' },
  promotion: { type: 'string' },
  'promo-identifier': { type: 'string' },
  'identifier-name': { type: 'string' },
  'customers-csv': { type: 'string' },
  basic: { type: 'string' },
  token: { type: 'string' },
  'oauth-key': { type: 'string' },
  'oauth-secret': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Seconds of "10s", "500ms", "1m". */
function seconds(raw: string, flag: string, wholeSeconds: boolean): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw.trim());
  const s = m === null ? Number.NaN : Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
  if (!(s >= 0) || s > 3600 || (wholeSeconds && (!Number.isInteger(s) || s < 1)))
    throw new UsageError(
      `${flag} must be ${wholeSeconds ? 'whole seconds from 1s to 1h, like 10s' : 'a duration up to 1h like 2s or 500ms'}, got "${raw}"`,
    );
  return s;
}

function percent(raw: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
  const n = m === null ? Number.NaN : Number(m[1]) / 100;
  if (!(n > 0 && n < 1))
    throw new UsageError(`${flag} must be a percentage between 0% and 100% like 5%, got "${raw}"`);
  return n;
}

export const command: Command = {
  name: 'capacity',
  summary: 'find the most issued customers/s a host sustains under the SLOs, per batch size',
  help,
  async run(args, io) {
    const { values: v } = parseFlags(args, FLAGS);
    const str = (k: keyof typeof FLAGS) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
    const target = targetOption(v.target, io.env);
    const batchSizes = str('batch-sizes')
      ?.split(',')
      .map((p) => {
        if (!/^\d+$/.test(p.trim()) || Number(p) < 1 || Number(p) > 100_000)
          throw new UsageError(
            `--batch-sizes must be whole numbers from 1 to 100000 separated by commas, got "${str('batch-sizes')}"`,
          );
        return Number(p);
      });
    const basic = stringOption(v.basic, io.env, 'DIRECTEARN_BASIC');
    const token = stringOption(v.token, io.env, 'DIRECTEARN_TOKEN');
    if (basic !== undefined) parseUserPass(basic, optionSource(v.basic, '--basic', 'DIRECTEARN_BASIC'));
    if (token !== undefined) parseToken(token, optionSource(v.token, '--token', 'DIRECTEARN_TOKEN'));
    const oauth = oauthOption(str('oauth-key'), str('oauth-secret'), io.env);
    if ([basic, token, oauth].filter((x) => x !== undefined).length > 1)
      throw new UsageError('give one of --basic, --token or --oauth-key/--oauth-secret');
    const num = (k: keyof typeof FLAGS, min: number, max: number) => {
      const raw = str(k);
      return raw === undefined ? undefined : numberOption(raw, `--${k}`, 0, { min, max });
    };
    const int = (k: keyof typeof FLAGS, min: number, max: number) => {
      const raw = str(k);
      return raw === undefined ? undefined : intOption(raw, `--${k}`, 0, { min, max });
    };
    const budgetCustomers = int('budget-customers', 1, Number.MAX_SAFE_INTEGER);
    if (target !== undefined && !isLoopbackUrl(target)) {
      if (v['allow-real-issue'] !== true)
        throw new UsageError(
          `--target ${hostOf(target)} is not loopback: every request there issues real promotions to real customers. Add --allow-real-issue (with --budget-customers N) if that is intended.`,
        );
      if (budgetCustomers === undefined)
        throw new UsageError(
          '--allow-real-issue needs --budget-customers N: the most customers the search may send',
        );
    }
    const startRate = num('start-rate', 0.001, 100_000_000);
    const maxRate = num('max-rate', 0.001, 100_000_000);
    if (startRate !== undefined && maxRate !== undefined && startRate > maxRate)
      throw new UsageError(`--start-rate ${startRate} is above --max-rate ${maxRate}`);
    const { parseSlo, readSloFile } = await import('../../load/slo.js');
    const slos = [
      ...(str('slo-file') !== undefined ? readSloFile(resolve(io.cwd, str('slo-file') as string)) : []),
      ...((v.slo as string[] | undefined) ?? []).map((s) => parseSlo(s)),
    ];
    const id = (k: 'program' | 'promotion') => int(k, 0, Number.MAX_SAFE_INTEGER);
    const identity = {
      ...(id('program') !== undefined ? { programId: id('program') } : {}),
      ...(id('promotion') !== undefined ? { promotionId: id('promotion') } : {}),
      ...(str('promo-identifier') !== undefined ? { promoIdentifier: str('promo-identifier') } : {}),
      ...(str('identifier-name') !== undefined ? { identifierName: str('identifier-name') } : {}),
    };
    const { resolveIdentity } = await import('../../load/identity.js');
    resolveIdentity(identity, io.env);
    const csv = str('customers-csv');
    if (csv !== undefined) {
      const path = resolve(io.cwd, csv);
      if (!existsSync(path)) throw new UsageError(`--customers-csv ${csv} does not exist`);
      // k6 opens it again in every VU: a pipe or a device would read differently (or forever).
      if (!statSync(path).isFile()) throw new UsageError(`--customers-csv ${csv} is not a regular file`);
    }
    const out = str('out');
    if (out !== undefined) prepareOutputDir(resolve(io.cwd, out), '--out', out);
    const { runCapacity } = await import('../../capacity/run.js');
    let outcome: Awaited<ReturnType<typeof runCapacity>>;
    try {
      outcome = await runCapacity({
        ...identity,
        ...(target !== undefined ? { target } : {}),
        allowRealIssue: v['allow-real-issue'] === true,
        ...(batchSizes !== undefined ? { batchSizes } : {}),
        ...(str('step-duration') !== undefined
          ? { stepSeconds: seconds(str('step-duration') as string, '--step-duration', true) }
          : {}),
        ...(str('cool-down') !== undefined
          ? { coolDownSeconds: seconds(str('cool-down') as string, '--cool-down', false) }
          : {}),
        ...(startRate !== undefined ? { startRate } : {}),
        ...(maxRate !== undefined ? { maxRate } : {}),
        ...(str('resolution') !== undefined
          ? { resolution: percent(str('resolution') as string, '--resolution') }
          : {}),
        ...(int('max-steps', 2, 1000) !== undefined ? { maxSteps: int('max-steps', 2, 1000) } : {}),
        ...(int('max-vus', 1, 10_000) !== undefined ? { maxVus: int('max-vus', 1, 10_000) } : {}),
        ...(int('runners', 1, 64) !== undefined ? { runners: int('runners', 1, 64) } : {}),
        ...(slos.length > 0 ? { slos } : {}),
        ...(budgetCustomers !== undefined ? { budgetCustomers } : {}),
        ...(basic !== undefined ? { basic } : {}),
        ...(token !== undefined ? { token } : {}),
        ...(oauth !== undefined ? { oauth } : {}),
        ...(str('customers-csv') !== undefined ? { customersCsv: str('customers-csv') } : {}),
        ...(out !== undefined ? { out } : {}),
        cwd: io.cwd,
        env: io.env,
        onProgress: (line) => io.err(line),
      });
    } catch (e) {
      // k6's setup stops a step when the target is down or refuses the credentials.
      if (e instanceof UserFacingError && /not reachable|refused the credentials/.test(e.message))
        throw new UnreachableError(e.message);
      if (e instanceof UserFacingError && /^--/.test(e.message)) throw new UsageError(e.message);
      throw e;
    }
    const { result } = outcome;
    const say = v.json === true ? io.err : io.out;
    for (const b of result.batches) {
      const limit =
        b.rateLimit !== undefined
          ? ` (rate limit ${b.rateLimit.perMinute}/min = ${b.rateLimit.perSecond}/s, per-${b.rateLimit.window} window)`
          : '';
      say(
        b.isHostCapacity
          ? `batch ${b.batchSize}: ${b.issuedPerSecond} issued customers/s, ${b.requestsPerSecond} requests/s, bound by ${b.boundBy}${limit}`
          : b.boundBy === 'generator'
            ? `batch ${b.batchSize}: bound by the generator (k6 could not send more, raise --max-vus or use more runners); not the host's capacity`
            : `batch ${b.batchSize}: no capacity found, bound by ${b.boundBy}${limit}${b.issuedPerSecond > 0 ? ` (${b.issuedPerSecond} issued/s held so far)` : ''}`,
      );
      if (b.note !== undefined) say(`  ${b.note}`);
    }
    say(
      `customers sent: ${result.customersSent}${result.budgetCustomers !== undefined ? ` of a budget of ${result.budgetCustomers}` : ''}`,
    );
    say(`capacity: ${outcome.json}`);
    say(`page:     ${outcome.html}`);
    if (v.json === true) io.out(JSON.stringify(result, null, 2));
    return result.batches.every((b) => b.isHostCapacity) ? ExitCode.ok : ExitCode.failed;
  },
};
