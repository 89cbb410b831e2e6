// `directearn capacity`: the most a host sustains under an SLO, per batch size, found by an open-model
// search (src/capacity/); capacity.json, capacity.html and one progress line per step.
import { LOAD_PROGRAM_ID, LOAD_PROMOTION_ID } from '../../config/defaults.js';
import { UnreachableError, UserFacingError } from '../../errors.js';
import { DEFAULT_SLO_TEXT, SLO_FIGURES } from '../../load/slo.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';
import { type Command, ExitCode, UsageError } from '../command.js';
import { settleCapacity } from './capacity-options.js';

const help = `Usage: directearn capacity [--target URL] [flags]

Finds, per batch size, the most issued customers per second the host sustains within the SLOs:
an open model (k6 constant-arrival-rate steps), exponential search up from --start-rate, then a
binary search between the last good and the first bad step, and a confirmation step at the rate
found. A step is good when the SLOs hold, no 429 came and k6 sent what it was asked to; when k6
could not (dropped iterations, fewer than 99% of the requests, VUs at --max-vus) twice in a row
the result is "bound by the generator", never the host's capacity. Writes DIR/capacity.json and DIR/capacity.html.

  --target URL             the host (env DIRECTEARN_TARGET); default: the embedded reference
                           provider (which has no capacity of its own unless served with
                           \`directearn serve --capacity N\` and given here as --target)
  --allow-real-issue       allow a non-loopback --target: every request ISSUES REAL PROMOTIONS;
                           needs --budget-customers
  --budget-customers N     customers sent at most (preflight included); the search stops before a
                           step that would exceed it and says so
  --batch-sizes LIST       comma-separated (default 10,100,1000)
  --step-duration D        length of a step, whole seconds up to 1h: 10 or 10s, 1m (default 10s)
  --cool-down D            pause between steps, up to 1h: seconds (2) or a number with ms, s, m or
                           h (500ms, 2s) (default 2s)
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

${BOUNDS_HELP} k6 reads every answer
straight from the target (no relay: it would be measured with the host), with the exchange deadline
as each request's timeout; an answer over 2 MiB aborts the step (exit 1), and k6 is killed over its
memory ceiling, 1 GiB plus 4 MiB per VU of --max-vus (env DIRECTEARN_K6_MEMORY_MIB sets it, in MiB
from 16), the run failing (exit 1) with one line naming it.

Exit code: 0 a capacity was found for every batch size, 1 not for one of them (even the lowest
step broke the SLO, the generator or the budget bound it) or the target broke a bound (an answer
over the cap, k6's memory ceiling), 2 bad flags, 3 the target could not be reached or refused the
credentials.`;

export const command: Command = {
  name: 'capacity',
  summary: 'find the most issued customers/s a host sustains under the SLOs, per batch size',
  help,
  async run(args, io) {
    const { options, json } = settleCapacity(args, io);
    const { runCapacity } = await import('../../capacity/run-capacity.js');
    let outcome: Awaited<ReturnType<typeof runCapacity>>;
    try {
      outcome = await runCapacity({ ...options, onProgress: (line) => io.err(line) });
    } catch (e) {
      // k6's setup stops a step when the target is down or refuses the credentials.
      if (e instanceof UserFacingError && /not reachable|refused the credentials/.test(e.message))
        throw new UnreachableError(e.message);
      // A --customers-csv that cannot be read or holds no customer is found when the preflight reads it.
      if (e instanceof UserFacingError && /^--/.test(e.message)) throw new UsageError(e.message);
      throw e;
    }
    const { result } = outcome;
    const say = json ? io.err : io.out;
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
    if (json) io.out(JSON.stringify(result, null, 2));
    return result.batches.every((b) => b.isHostCapacity) ? ExitCode.ok : ExitCode.failed;
  },
};
