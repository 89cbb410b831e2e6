// `directearn merge`: the runner summaries of one distributed load run into one summary.json, one
// report and one SLO verdict on the whole run.
import { relative, resolve } from 'node:path';
import { DEFAULT_OUT_DIR } from '../../config/defaults.js';
import { DEFAULT_SLO_TEXT, SLO_FIGURES } from '../../load/slo.js';
import { prepareOutputDir } from '../../util/output-path.js';
import { type Command, ExitCode, parseFlags, UsageError } from '../command.js';

const DEFAULT_MERGE_OUT = `${DEFAULT_OUT_DIR}/load-merged`;

const help = `Usage: directearn merge INPUT... [--out DIR] [--slo EXPR]... [--slo-file FILE]

Merges the runner summaries of one load run split across k6 runners (execution segments: the
k6-operator TestRun of \`load --emit-k8s\`, or \`load --runners N\`) into DIR/summary.json (the schema
of a single run's, plus \`runners\`) and DIR/report.html, and judges the SLOs on the whole run.

  INPUT                  a runner-summary.json, or a saved log holding marked lines; a folder
                         (every runner-summary.json in it and its subfolders, as
                         \`load --runners\` leaves them); or - for a log stream on
                         standard input in which each runner printed one line marked
                         "directearn-runner-summary " among any other lines, e.g.
                         kubectl logs -l k6_cr=directearn-throughput,runner=true --tail=-1 |
                         directearn merge -
  --out DIR              where summary.json and report.html go (default ${DEFAULT_MERGE_OUT})
  --slo EXPR             an SLO checked at every batch size on the merged figures (repeatable),
                         as for load: FIGURE OP NUMBER, FIGURE one of
                         ${Object.keys(SLO_FIGURES).join(' ')}
                         (default ${DEFAULT_SLO_TEXT.join(' ')})
  --slo-file FILE        SLOs one per line (# comments); with --slo, both apply

Counts (requests, customers issued, warned and failed, 429s, dropped iterations) are summed;
requests/s and customers/s are over the scenario's duration; p50/p95/p99 come from merging the
runners' latency sketches: a merged p(q) lies between the exact p(q-e) and p(q+e) of all samples
pooled, e = 0.25 + 100 x runners / requests percentile points (printed per run).
The runners must be one run (scenario, target, batch sizes, duration, identity, segment sequence):
a runner of another run is refused, naming it. Runners whose segments overlap, or that leave part
of the run uncovered (a runner missing), are named and nothing is written.

Exit code: 0 every SLO held on the whole run and the runners cover it exactly once (rate: a limit
was found and Retry-After honoured), 1 an SLO crossed, a runner missing or overlapping, 2 bad
flags or an INPUT that is not a runner summary (named), 3 never (merge reaches no target).`;

export const command: Command = {
  name: 'merge',
  summary: 'merge the runner summaries of a distributed load run into one summary and SLO verdict',
  help,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { out: { type: 'string' }, slo: { type: 'string', multiple: true }, 'slo-file': { type: 'string' } },
      true,
    );
    if (positionals.length === 0)
      throw new UsageError('merge needs at least one INPUT (a file, a folder, or -)');
    if (positionals.filter((p) => p === '-').length > 1)
      throw new UsageError('- (standard input) can be given once');
    const { parseSlo, readSloFile } = await import('../../load/slo.js');
    const fromFlags = ((values.slo as string[] | undefined) ?? []).map((s) => parseSlo(s));
    const fromFile =
      typeof values['slo-file'] === 'string' ? readSloFile(resolve(io.cwd, values['slo-file'])) : [];
    const given = [...fromFile, ...fromFlags];
    const slos = given.length > 0 ? given : DEFAULT_SLO_TEXT.map((s) => parseSlo(s));
    const outRaw = (values.out as string | undefined) ?? DEFAULT_MERGE_OUT;
    const out = resolve(io.cwd, outRaw);
    prepareOutputDir(out, '--out', outRaw);
    const { mergeRunners } = await import('../../load/merge.js');
    const { readRunnerPath, readRunnerStream } = await import('../../load/runner-summaries.js');
    const { judgeAndWrite, verdictLines } = await import('../../load/merged-outputs.js');
    const inputs = [];
    for (const p of positionals) {
      if (p === '-') inputs.push(...(await readRunnerStream(process.stdin)));
      else inputs.push(...readRunnerPath(resolve(io.cwd, p), p));
    }
    const verdict = judgeAndWrite(mergeRunners(inputs), slos, out);
    const shown = (path: string): string => {
      const rel = relative(io.cwd, path);
      return rel === '' || rel.startsWith('..') ? path : rel;
    };
    const { figureLines } = await import('./load.js');
    for (const line of verdictLines(verdict, shown, figureLines)) io.out(line);
    return verdict.ok ? ExitCode.ok : ExitCode.failed;
  },
};
