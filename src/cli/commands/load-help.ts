// `directearn load --help`: every flag of a load run with its variable, default and exit codes.
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../../config/defaults.js';
import { DEFAULT_BASELINE_REPEAT, DEFAULT_MAX_REGRESSION } from '../../load/baseline.js';
import { PREFLIGHT_CUSTOMERS } from '../../load/identity.js';
import { DEFAULT_EMBEDDED_RATE_LIMIT } from '../../load/options.js';
import { K6_GOGC } from '../../load/script-vars.js';
import { DEFAULT_SLO_TEXT, SLO_FIGURES } from '../../load/slo.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';

/** Words wrapped at 100 columns under the flag descriptions. */
function wrapped(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && 27 + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(27)}${l}`).join('\n');
}

export const LOAD_HELP = `Usage: directearn load [--scenario throughput|rate|smoke] [--target URL] [flags] [-- K6_ARGS]

Runs k6 (k6/<scenario>.ts) against the embedded reference provider, or --target, and writes
DIR/summary.json (schemaVersion 3) and DIR/report.html (charts, no network needed to open it).

  --scenario NAME          throughput (default): requests/s, customers sent and ISSUED per second
                           (8890-warned customers are not issued) and latency per batch size;
                           rate: ramps the arrival rate until 429s, reports the accepted rate and
                           whether Retry-After is honoured; smoke: every documented case once
  --target URL             base URL of the endpoint's host (env DIRECTEARN_TARGET); default: start
                           the embedded reference provider on a free loopback port
  --allow-real-issue       allow a --target that is not loopback: every request there ISSUES REAL
                           PROMOTIONS TO REAL CUSTOMERS
  --batch-sizes LIST       throughput batch sizes, comma-separated (default ${DEFAULT_BATCH_SIZES.join(',')})
  --duration D             per batch size (throughput) or per phase (rate), up to 1h: seconds (5)
                           or a number with ms, s, m or h (500ms, 5s, 1m) (default ${DEFAULT_LOAD_DURATION})
  --program ID             programId of every request (env DIRECTEARN_PROGRAM_ID; default
                           ${LOAD_PROGRAM_ID}, the embedded provider's)
  --promotion ID           promotionId (env DIRECTEARN_PROMOTION_ID; default ${LOAD_PROMOTION_ID})
  --promo-identifier TEXT  name the promotion by promoIdentifier instead (env DIRECTEARN_PROMO_IDENTIFIER)
  --identifier-name NAME   id, mobile or email (env DIRECTEARN_IDENTIFIER_NAME; default id)
                           Before k6 starts, one request must issue to the first ${PREFLIGHT_CUSTOMERS} customers
                           (no error, no warning 8890); otherwise the run stops with the code and
                           message the host answered.
  --provider-rate-limit N  embedded provider only: limit in requests/s (429 + Retry-After beyond);
                           a rate run against the embedded provider defaults to ${DEFAULT_EMBEDDED_RATE_LIMIT}
  --rate-max N             rate: highest arrival rate probed, requests/s (default twice the
                           embedded provider's limit, else ${DEFAULT_LOAD_RATE_MAX_RPS})
  --max-vus N              throughput: concurrent requests at most (default ${DEFAULT_LOAD_MAX_VUS})
  --arrival-rate R         throughput: offer R requests/s at every batch size (default 2,000,000
                           customers/s, at most 5,000 requests/s: above what one target serves)
  --runners N              throughput, rate: N k6 processes on this machine, each with the execution
                           segment the k6-operator gives runner pod i of N (arrival rate and VUs
                           split between them); each leaves DIR/runner-<i>/runner-summary.json, and
                           they are merged as \`directearn merge\` does (SLOs judged on the whole run).
                           With --emit-k8s: the TestRun's parallelism
  --customers-csv FILE     identifier values (first column, header line) instead of the generated range
  --basic USER:PASS        Basic credentials (env DIRECTEARN_BASIC; default the suite's)
  --token TOKEN            OAuth token sent as Bearer (env DIRECTEARN_TOKEN)
  --oauth-key KEY          OAuth key (env DIRECTEARN_OAUTH_KEY) and secret (--oauth-secret, env
  --oauth-secret SECRET    DIRECTEARN_OAUTH_SECRET): a token is generated at /v3/oauth/token/generate
                           before the run and sent in X-CAP-API-OAUTH-TOKEN; every k6 VU renews
                           its own before ttlSeconds run out (at a random point between half and
                           four fifths of it). Neither is written to any report or log
  --out DIR                where the reports go (default ${DEFAULT_OUT_DIR}/load-<scenario>); a run k6
                           does not complete writes nothing there, so the last good report stays
  --emit-k8s DIR           write DIR/configmap.yaml and DIR/testrun.yaml (k6-operator) for this
                           scenario, batch sizes, identity and --target instead of running;
                           runner pods: env DIRECTEARN_K8S_PARALLELISM (default 4)
  --slo EXPR               an SLO checked at every batch size (repeatable): FIGURE OP NUMBER, OP
${wrapped(`one of < <= > >= ==; FIGURE one of ${Object.keys(SLO_FIGURES).join(' ')} (shares as 0..1). Default: ${DEFAULT_SLO_TEXT.join(' ')} (k6/thresholds.ts)`)}
  --slo-file FILE          SLOs one per line (# comments); with --slo, both apply
  --baseline PATH          an earlier summary.json (repeatable: their runs are pooled): prints issued/s
                           and p95 per batch size, baseline -> now; the report shows both runs. A
                           change is a regression only when it is beyond --max-regression AND every
                           run now is worse than every baseline run (min/max across repeats); the
                           verdict line says how sure it is
  --max-regression P       allowed regression against --baseline (default ${(DEFAULT_MAX_REGRESSION * 100).toFixed(0)}%, from the noise
                           of identical runs measured on a shared machine: docs/campaign-performance.md)
  --repeat N               throughput: run every batch size N times (default 1, with --baseline
                           ${DEFAULT_BASELINE_REPEAT}); summary.json keeps each run's issued/s and p95 (repeats), the
                           spread --baseline judges by
  --markdown FILE          with --baseline: also write the comparison as Markdown (a PR comment)
  --quiet                  hide k6's banner, progress and end-of-test text; k6 errors still show
  -- K6_ARGS               passed to \`k6 run\` as is, e.g. -- --out json=points.json. k6's own variables
                           work too: K6_OUT=json=points.json, K6_WEB_DASHBOARD=true (live dashboard on
                           http://127.0.0.1:5665, K6_WEB_DASHBOARD_EXPORT=report.html to keep it)

k6: PATH, else ~/.cache/directearn-tools/k6-<version>/ (\`npm run k6:install\`); when missing and Go
is installed, it is built once with \`go install\`.
k6 runs with GOGC=${K6_GOGC} (Go's collector a quarter as often: less generator CPU per request, ~60 MB
more memory); a GOGC in the environment wins, also for --emit-k8s.

${BOUNDS_HELP} k6 follows no redirect
either (maxRedirects: 0); it has no size cap, so the smoke reaches a --target through the bounded
relay (answers over 1 MiB refused), and throughput and rate discard every body they do not read.
k6 is killed over its memory ceiling, 1 GiB plus 4 MiB per VU of --max-vus (env
DIRECTEARN_K6_MEMORY_MIB sets it, in MiB from 16): the run fails (exit 1) naming it.

Exit code: 0 every SLO held (smoke: every case passed; rate: a limit was found and Retry-After
honoured; --baseline: no regression beyond --max-regression and the runs' spread), 1 an SLO crossed, a case failed, a
regression, a batch size mostly did not issue (warned 8890 or failed), the preflight did not issue
or k6 did not complete (a bound the target broke: redirect, answer size or time, k6's memory
ceiling), 2 bad flags, 3 the target could not
be reached or refused the credentials.`;
