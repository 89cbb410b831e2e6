// The stages of `directearn check` that need no k6: the spec, the consumer contracts, the pacts
// against the spec, and the provider verification (src/check/stages.ts puts them in order).
import { runConsumerContracts } from '../contracts/consumer.js';
import { checkPactsAgainstSpec } from '../contracts/spec-check.js';
import { poolLine, verifyPacts } from '../contracts/verification.js';
import { checkExamples, checkMetaSchema, lintSpec } from '../openapi/spec-checks.js';
import type { StageTest } from './check-summary.js';
import { type CheckContext, type Stage, type StageOutcome, summarise } from './context.js';

export const specStage: Stage = {
  id: 'spec',
  title: 'spec valid and linted',
  async run() {
    const tests: StageTest[] = [];
    const checks: [string, () => Promise<{ ok: boolean; problems: string[] }>][] = [
      ['OpenAPI 3.1 meta-schema', () => checkMetaSchema()],
      ['Redocly lint (redocly.yaml)', () => lintSpec()],
      ['every example matches its schema', async () => checkExamples()],
    ];
    for (const [name, check] of checks) {
      const t0 = performance.now();
      const r = await check();
      tests.push({
        name,
        status: r.ok ? 'passed' : 'failed',
        message: r.problems.join('\n'),
        durationMs: performance.now() - t0,
      });
    }
    return summarise(tests, 'spec checks');
  },
};

export const contractsStage: Stage = {
  id: 'contracts',
  title: 'consumer contracts',
  async run(ctx) {
    const r = await runConsumerContracts();
    ctx.pactFiles = r.pactFiles;
    const tests: StageTest[] = r.tests.map((t) => ({ name: t.name, status: t.status, message: t.message }));
    const out = summarise(tests, 'consumer interactions');
    if (r.ok)
      return {
        ...out,
        detail: `${out.detail}, ${r.interactions} in ${r.pactFiles.length} pact file(s)`,
        artifacts: r.pactFiles,
      };
    const why =
      tests.length === 0
        ? `the consumer tests did not run: ${lastLines(r.output)}`
        : out.status === 'passed'
          ? `${r.interactions} interactions written for ${tests.filter((t) => t.status === 'passed').length} passing tests`
          : out.detail;
    return { status: 'failed', detail: why, tests, artifacts: r.pactFiles };
  },
};

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}

const noPacts = (ctx: CheckContext): StageOutcome | undefined =>
  ctx.pactFiles === undefined || ctx.pactFiles.length === 0
    ? { status: 'skipped', detail: 'no pacts: the consumer contracts wrote none', tests: [] }
    : undefined;

export const pactsVsSpecStage: Stage = {
  id: 'pacts-vs-spec',
  title: 'pacts vs spec',
  async run(ctx) {
    const none = noPacts(ctx);
    if (none !== undefined) return none;
    const r = await checkPactsAgainstSpec({ files: ctx.pactFiles });
    const tests: StageTest[] = r.interactions.map((i) => ({
      name: `${i.case ?? '?'}: ${i.description}`,
      status: i.ok ? 'passed' : 'failed',
      message: i.problems.join('\n'),
    }));
    // Problems that belong to no interaction (an unreadable pact file) fail the stage too.
    const loose = r.problems.filter((p) => !r.interactions.some((i) => i.problems.includes(p)));
    for (const p of loose) tests.push({ name: 'pact file', status: 'failed', message: p });
    const out = summarise(tests, 'interactions');
    if (!r.ok && out.status === 'passed')
      return { ...out, status: 'failed', detail: r.problems[0] ?? 'failed' };
    return r.ok ? { ...out, detail: `${tests.length} interactions agree with the spec` } : out;
  },
};

export const verifyStage: Stage = {
  id: 'verify',
  title: 'provider verification',
  async run(ctx) {
    const none = noPacts(ctx);
    if (none !== undefined) return none;
    const r = await verifyPacts({
      files: ctx.pactFiles,
      ...(ctx.target === undefined ? {} : { providerBaseUrl: ctx.target }),
      ...(ctx.states === undefined ? {} : { states: ctx.states }),
      ...(ctx.credentials === undefined ? {} : { credentials: ctx.credentials }),
      ...(ctx.strict === true ? { strict: true } : {}),
    });
    ctx.verification = r.interactions;
    const tests = r.interactions.map(
      (i): StageTest => ({
        name: `${i.case}: ${i.description}`,
        status: i.status,
        // A passed interaction's notes (inferred parts the host answers otherwise) stay visible.
        message:
          i.message ?? (i.notes === undefined ? undefined : i.notes.map((n) => `note: ${n}`).join('\n')),
      }),
    );
    if (tests.length === 0) return { status: 'failed', detail: 'no interaction was verified', tests };
    const { passed, failed, skipped, notVerified, total } = r.counts;
    const where = r.embedded ? 'the embedded provider' : r.target;
    const rest = `${skipped > 0 ? `, ${skipped} skipped` : ''}${notVerified > 0 ? `, ${notVerified} not verified` : ''}`;
    // The same verdict as `directearn verify`: skipped interactions of inferred cases do not fail it.
    // The pool line as verify prints it: a CI log shows how many runs the pool has left.
    const pool = `${r.counts.noted > 0 ? `; ${r.counts.noted} with notes on inferred parts` : ''}${r.undocumented.length > 0 ? `; ${r.undocumented.length} undocumented finding(s) (directearn verify --record FILE keeps them)` : ''}${r.pool === undefined ? '' : `; ${poolLine(r.pool)}`}`;
    if (r.ok)
      return {
        status: 'passed',
        detail: `${passed} of ${total} interactions verified against ${where}${rest}${pool}`,
        tests,
      };
    return {
      status: 'failed',
      detail: `${passed} passed, ${failed} failed${rest} against ${where}; ${r.reasons.join('; ')}${pool}`,
      tests,
    };
  },
};
