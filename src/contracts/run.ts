// The contracts as a programmatic API, for `directearn check`, `directearn verify` and tests:
//
//   runConsumerContracts(options?: { pactDir?: string; timeoutMs?: number })
//     -> Promise<{ ok: boolean; pactFiles: string[]; interactions: number;
//                  tests: { name: string; status: 'passed' | 'failed' | 'skipped'; message?: string }[];
//                  output: string }>
//     Runs the Pact consumer tests (vitest, vitest.pact.config.ts: folder emptied, files in sequence)
//     and reports each test and the interactions written to contracts/pacts (or pactDir).
//
//   checkPactsAgainstSpec(options?: { dir?: string; files?: string[] })
//     -> Promise<{ ok: boolean; problems: string[]; files: string[];
//                  interactions: { file: string; description: string; case?: string; ok: boolean; problems: string[] }[] }>
//     swagger-mock-validator on every pact against openapi/directEarn.yaml.
//
//   verifyPacts(options?: { providerBaseUrl?: string; states?: string | StatesMap;
//                           credentials?: { basic?: { user: string; password: string }; token?: string;
//                                           readOnlyBasic?: { user: string; password: string } };
//                           dir?: string; files?: string[]; stateChangeUrl?: string; timeoutMs?: number })
//     -> Promise<{ ok: boolean; target: string; embedded: boolean;
//                  interactions: { description: string; case: string; status: 'passed' | 'failed' | 'not-verified'; message?: string }[];
//                  counts: { total: number; passed: number; failed: number; notVerified: number } }>
//     Replays the pacts with the Rust pact-verifier. No providerBaseUrl: the reference provider is
//     started in-process on a free loopback port and states are set through its admin route. With a
//     states map, every state of an interaction must be mapped, else it is "not-verified" (never
//     passed); the mapped IDs replace the pact's IDs in the request and the expected body. On a
//     providerBaseUrl without states map nor stateChangeUrl, every interaction is "not-verified".
//     An interaction with a state that sets the provider's limits (413, 429: src/states
//     SETTING_STATES) is "not-verified" on a providerBaseUrl without stateChangeUrl, mapped or not.
//     `ok` is true only when every interaction passed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACT_PROVIDER } from '../config/defaults.js';
import { packageRoot, specPath } from '../spec/index.js';
import { isSettingState } from '../states/index.js';
import { packageBin } from '../util/process.js';
import { interactions as tableInteractions } from './interactions.js';
import { PACT_DIR, type PactInteraction, pactFiles, pactInteractions, readPact } from './pacts.js';
import { loadStatesFile, type StatesMap } from './states-file.js';

export type { StatesMap } from './states-file.js';

const bin = (name: string) => join(packageRoot, 'node_modules', '.bin', name);

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: packageRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const extra = error !== null && typeof error.code !== 'number' ? `\n${error.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + extra });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Consumer contracts

export interface ContractTest {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

export interface ConsumerRunResult {
  ok: boolean;
  pactFiles: string[];
  /** Interactions in the pact files after the run. */
  interactions: number;
  tests: ContractTest[];
  output: string;
}

/** Runs the Pact consumer tests and returns each test's status and the pact files written. */
export async function runConsumerContracts(
  options: { pactDir?: string; timeoutMs?: number } = {},
): Promise<ConsumerRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'directearn-consumer-'));
  const report = join(dir, 'vitest.json');
  try {
    const r = await run(
      bin('vitest'),
      ['run', '--config', 'vitest.pact.config.ts', '--reporter=json', `--outputFile=${report}`],
      options.timeoutMs ?? 180_000,
      {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        ...(options.pactDir === undefined ? {} : { DIRECTEARN_PACT_DIR: options.pactDir }),
      },
    );
    const tests: ContractTest[] = [];
    try {
      const json = JSON.parse(await readFile(report, 'utf8')) as {
        testResults?: {
          assertionResults?: { title: string; status: string; failureMessages?: string[] }[];
        }[];
      };
      for (const file of json.testResults ?? []) {
        for (const a of file.assertionResults ?? []) {
          const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
          const message = a.failureMessages?.join('\n').split('\n').slice(0, 20).join('\n');
          tests.push({ name: a.title, status, ...(message ? { message } : {}) });
        }
      }
    } catch {
      // No report: vitest itself failed (config, syntax); the output says why.
    }
    const files = pactFiles(options.pactDir ?? PACT_DIR);
    const count = files.reduce((n, f) => n + readPact(f).json.interactions.length, 0);
    const ok =
      r.code === 0 &&
      tests.length > 0 &&
      tests.every((t) => t.status !== 'failed') &&
      count === tests.filter((t) => t.status === 'passed').length;
    return { ok, pactFiles: files, interactions: count, tests, output: `${r.stdout}${r.stderr}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Pacts against the spec

export interface SpecCheckResult {
  ok: boolean;
  problems: string[];
  files: string[];
  interactions: { file: string; description: string; case?: string; ok: boolean; problems: string[] }[];
}

type SmvIssue = import('@pactflow/swagger-mock-validator').SmvIssue;

let specCopy: Promise<string> | undefined;

/**
 * swagger-mock-validator's OpenAPI 3.1 schema refuses `description` on a server variable (which
 * 3.1 allows), so it reads a copy of the spec without those descriptions; nothing the pacts are
 * checked against changes.
 */
function specForValidator(): Promise<string> {
  specCopy ??= (async () => {
    const spec = parseYaml(await readFile(specPath, 'utf8')) as {
      servers?: { variables?: Record<string, { description?: string }> }[];
    };
    for (const server of spec.servers ?? []) {
      for (const v of Object.values(server.variables ?? {})) delete v.description;
    }
    const dir = await mkdtemp(join(tmpdir(), 'directearn-smv-'));
    const path = join(dir, 'directEarn.json');
    await writeFile(path, JSON.stringify(spec));
    return path;
  })();
  return specCopy;
}

/** Checks every pact against openapi/directEarn.yaml (strict: responses must carry required fields, nothing extra). */
export async function checkPactsAgainstSpec(
  options: { dir?: string; files?: string[] } = {},
): Promise<SpecCheckResult> {
  const files = options.files ?? pactFiles(options.dir ?? PACT_DIR);
  if (files.length === 0) {
    const where = options.dir ?? PACT_DIR;
    return {
      ok: false,
      problems: [`no pact files in ${where}: run npm run pact:consumer`],
      files,
      interactions: [],
    };
  }
  const { SwaggerMockValidatorFactory } = await import('@pactflow/swagger-mock-validator');
  const validator = SwaggerMockValidatorFactory.create();
  const spec = await specForValidator();
  const problems: string[] = [];
  const out: SpecCheckResult['interactions'] = [];
  const caseOf = new Map(tableInteractions().map((i) => [i.description, i.case]));
  for (const file of files) {
    let errors: SmvIssue[];
    try {
      const r = await validator.validate({
        specPathOrUrl: spec,
        mockPathOrUrl: file,
        additionalPropertiesInResponse: 'false',
        requiredPropertiesInResponse: 'true',
      });
      errors = r.errors;
    } catch (e) {
      const msg = `${file}: swagger-mock-validator could not read it: ${(e as Error).message.split('\n')[0]}`;
      problems.push(msg);
      continue;
    }
    const described = readPact(file).json.interactions.map((i) => String(i.description));
    for (const description of described) {
      const mine = errors.filter((e) => e.mockDetails?.interactionDescription === description);
      const lines = mine.map(
        (e) => `${description}: ${e.code}: ${e.message} (${e.mockDetails?.location ?? ''})`,
      );
      problems.push(...lines);
      const c = caseOf.get(description);
      out.push({ file, description, ...(c ? { case: c } : {}), ok: mine.length === 0, problems: lines });
    }
    for (const e of errors.filter(
      (e) => !described.includes(String(e.mockDetails?.interactionDescription)),
    )) {
      problems.push(`${file}: ${e.code}: ${e.message}`);
    }
  }
  return { ok: problems.length === 0, problems, files, interactions: out };
}

// ---------------------------------------------------------------------------------------------
// Provider verification

export interface Credentials {
  basic?: { user: string; password: string };
  token?: string;
  /** Credentials WITHOUT write access to the customer group resource, for the 403 interaction. */
  readOnlyBasic?: { user: string; password: string };
}

export interface VerifyOptions {
  /** A real host (scheme, host, port, optional base path). Absent: the embedded reference provider. */
  providerBaseUrl?: string;
  /** Path of a YAML states file, or the map itself. */
  states?: string | StatesMap;
  credentials?: Credentials;
  dir?: string;
  files?: string[];
  /** Where to POST state changes on a real host (Pact format); none by default (data must exist). */
  stateChangeUrl?: string;
  timeoutMs?: number;
}

export type VerificationStatus = 'passed' | 'failed' | 'not-verified';

export interface VerifiedInteraction {
  description: string;
  case: string;
  status: VerificationStatus;
  message?: string;
}

export interface VerifyResult {
  ok: boolean;
  target: string;
  embedded: boolean;
  interactions: VerifiedInteraction[];
  counts: { total: number; passed: number; failed: number; notVerified: number };
}

// Only these fields carry the IDs a states file maps; anything else (counts, codes) is left alone.
const ID_FIELDS = new Set(['programId', 'promotionId', 'promoIdentifier', 'identifierValue', 'entityId']);

/** Replaces IDs of the pact by mapped ones wherever an ID field holds a value a state named. */
function substitute(value: unknown, pairs: Map<string, string | number>, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, pairs, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, pairs, k)]));
  }
  if (key !== undefined && ID_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number')) {
    const mapped = pairs.get(String(value));
    if (mapped !== undefined) {
      return typeof value === 'number' && /^\d+$/.test(String(mapped)) ? Number(mapped) : String(mapped);
    }
  }
  return value;
}

interface Prepared {
  raw: Record<string, unknown>;
  notVerified?: string;
}

function prepare(
  pi: PactInteraction,
  states: StatesMap | undefined,
  credentials: Credentials | undefined,
  embedded: boolean,
  canSetStates: boolean,
): Prepared {
  const raw = structuredClone(pi.raw);
  // A states file maps IDs of data that exists on the host; it cannot lower the host's rate or body
  // limit. Replaying such an interaction anyway would send a valid request that issues promotions.
  const setting = pi.states.filter((s) => isSettingState(s.name)).map((s) => `"${s.name}"`);
  if (!canSetStates && setting.length > 0) {
    return {
      raw,
      notVerified: `state ${[...new Set(setting)].join(', ')} sets the provider's own limit, which a states file cannot do on a real host: give --state-change-url of a host that can set it`,
    };
  }
  if (states !== undefined) {
    const unmapped = pi.states.filter((s) => !Object.hasOwn(states, s.name)).map((s) => `"${s.name}"`);
    if (unmapped.length > 0) {
      return { raw, notVerified: `state ${[...new Set(unmapped)].join(', ')} not mapped in the states file` };
    }
    const pairs = new Map<string, string | number>();
    const newStates = pi.states.map((s) => {
      const mapped = states[s.name] ?? {};
      for (const [k, v] of Object.entries(s.params ?? {})) {
        const to = mapped[k];
        if (
          to !== undefined &&
          to !== null &&
          typeof to !== 'boolean' &&
          (typeof v === 'string' || typeof v === 'number')
        ) {
          pairs.set(String(v), to);
        }
      }
      return { name: s.name, params: { ...(s.params ?? {}), ...mapped } };
    });
    raw.providerStates = newStates;
    const req = raw.request as { body?: { content?: unknown } };
    const res = raw.response as { body?: { content?: unknown } };
    if (req.body?.content !== undefined) req.body.content = substitute(req.body.content, pairs);
    if (res.body?.content !== undefined) res.body.content = substitute(res.body.content, pairs);
  }
  const request = raw.request as { headers?: Record<string, string[]> };
  request.headers = request.headers ?? {};
  const headers = request.headers;
  const hasBasic = headers.Authorization !== undefined;
  const hasCap = headers['X-CAP-API-OAUTH-TOKEN'] !== undefined;
  if (credentials !== undefined && (credentials.basic !== undefined || credentials.token !== undefined)) {
    if (tableInteractions().find((t) => t.description === pi.description)?.auth === 'basic-readonly') {
      const ro = credentials.readOnlyBasic;
      if (ro === undefined) {
        return {
          raw,
          notVerified:
            'needs credentials WITHOUT write access to the customer group resource: give --readonly-basic USER:PASS',
        };
      }
      headers.Authorization = [`Basic ${Buffer.from(`${ro.user}:${ro.password}`).toString('base64')}`];
      return { raw };
    }
    if (hasBasic) {
      headers.Authorization = [
        credentials.basic !== undefined
          ? `Basic ${Buffer.from(`${credentials.basic.user}:${credentials.basic.password}`).toString('base64')}`
          : `Bearer ${credentials.token}`,
      ];
    }
    if (hasCap) {
      if (credentials.token === undefined) {
        return { raw, notVerified: 'sends X-CAP-API-OAUTH-TOKEN: give --token to verify it' };
      }
      headers['X-CAP-API-OAUTH-TOKEN'] = [credentials.token];
    }
  } else if (!embedded && (hasBasic || hasCap)) {
    return { raw, notVerified: 'needs credentials for the target: give --basic USER:PASS or --token TOKEN' };
  }
  return { raw };
}

interface VerifierReport {
  interactionResults?: { description: string; result: unknown }[];
  errors?: {
    interaction: string;
    mismatch?: { mismatches?: { mismatch?: string; path?: string; key?: string }[]; message?: string };
  }[];
}

/** Verifies the pacts against a provider; never passes an interaction it could not replay. */
export async function verifyPacts(options: VerifyOptions = {}): Promise<VerifyResult> {
  const files = options.files ?? pactFiles(options.dir ?? PACT_DIR);
  const all = pactInteractions(options.dir ?? PACT_DIR, files);
  const embedded = options.providerBaseUrl === undefined;
  // On a real host nothing sets the states unless a state-change URL does: without a states file
  // every interaction is then unmapped (not verified), never replayed with the pacts' example IDs.
  const states =
    typeof options.states === 'string'
      ? loadStatesFile(options.states)
      : (options.states ?? (embedded || options.stateChangeUrl !== undefined ? undefined : {}));
  const results = new Map<PactInteraction, VerifiedInteraction>();
  const canSetStates = embedded || options.stateChangeUrl !== undefined;
  const prepared = all.map((pi) => ({
    pi,
    ...prepare(pi, states, options.credentials, embedded, canSetStates),
  }));
  for (const p of prepared) {
    if (p.notVerified !== undefined) {
      results.set(p.pi, {
        description: p.pi.description,
        case: p.pi.case ?? '?',
        status: 'not-verified',
        message: p.notVerified,
      });
    }
  }
  const runnable = prepared.filter((p) => p.notVerified === undefined);

  let embeddedProvider: { url: string; close(): Promise<void> } | undefined;
  let target = options.providerBaseUrl ?? '';
  const dir = await mkdtemp(join(tmpdir(), 'directearn-verify-'));
  try {
    if (runnable.length > 0) {
      if (embedded) {
        const { startProvider } = await import('../provider/server.js');
        embeddedProvider = await startProvider({ admin: true, host: '127.0.0.1', port: 0 });
        target = embeddedProvider.url;
      }
      const url = new URL(target);
      // One pact file per source file, holding only the interactions that can be replayed.
      const args: string[] = [];
      for (const file of new Set(runnable.map((p) => p.pi.file))) {
        const pact = readPact(file).json;
        const out = join(dir, `${args.length}-${file.split('/').pop()}`);
        await writeFile(
          out,
          JSON.stringify({
            ...pact,
            interactions: runnable.filter((p) => p.pi.file === file).map((p) => p.raw),
          }),
        );
        args.push('-f', out);
      }
      const report = join(dir, 'report.json');
      const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
      args.push(
        '-h',
        url.hostname.replace(/^\[|\]$/g, ''),
        '-p',
        port,
        '--transport',
        url.protocol.replace(':', ''),
      );
      if (url.pathname !== '/' && url.pathname !== '')
        args.push('--base-path', url.pathname.replace(/\/+$/, ''));
      args.push('-n', PACT_PROVIDER, '--json', report, '--no-colour');
      const stateChangeUrl = embedded ? `${target}/_admin/provider-states` : options.stateChangeUrl;
      if (stateChangeUrl !== undefined)
        args.push('--state-change-url', stateChangeUrl, '--state-change-teardown');
      const verifier = packageBin('@pact-foundation/pact-cli', 'pact-verifier');
      const r = await run(process.execPath, [verifier, ...args], options.timeoutMs ?? 120_000);
      let parsed: VerifierReport | undefined;
      try {
        parsed = JSON.parse(await readFile(report, 'utf8')) as VerifierReport;
      } catch {
        parsed = undefined;
      }
      for (const p of runnable) {
        const entry = parsed?.interactionResults?.find((x) => x.description === p.pi.description);
        const errors = (parsed?.errors ?? []).filter((e) => e.interaction.endsWith(` - ${p.pi.description}`));
        const base = { description: p.pi.description, case: p.pi.case ?? '?' };
        if (entry === undefined) {
          const why =
            parsed === undefined
              ? `pact-verifier produced no report (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`
              : 'pact-verifier did not replay it';
          results.set(p.pi, { ...base, status: 'not-verified', message: why });
        } else if (entry.result === 'OK' && errors.length === 0) {
          results.set(p.pi, { ...base, status: 'passed' });
        } else {
          const lines = errors.flatMap(
            (e) =>
              e.mismatch?.mismatches?.map(
                (m) => `${m.path ?? m.key ?? ''}${(m.path ?? m.key) ? ': ' : ''}${m.mismatch ?? ''}`,
              ) ?? [e.mismatch?.message ?? JSON.stringify(e.mismatch)],
          );
          results.set(p.pi, {
            ...base,
            status: 'failed',
            message: lines.join('\n') || JSON.stringify(entry.result),
          });
        }
      }
    }
  } finally {
    await embeddedProvider?.close();
    await rm(dir, { recursive: true, force: true });
  }
  const interactions = all.map((pi) => results.get(pi) as VerifiedInteraction);
  const counts = {
    total: interactions.length,
    passed: interactions.filter((i) => i.status === 'passed').length,
    failed: interactions.filter((i) => i.status === 'failed').length,
    notVerified: interactions.filter((i) => i.status === 'not-verified').length,
  };
  return {
    ok: counts.total > 0 && counts.passed === counts.total,
    target: embedded ? `embedded reference provider (${target || 'not started'})` : target,
    embedded,
    interactions,
    counts,
  };
}
