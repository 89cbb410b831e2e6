// Every case of the spec's catalogue (`x-directearn-catalogue`) reaches every place a case must be
// (docs/changing.md, "A new documented code"): a request the reference provider answers with it (or
// a stated reason why none can be sent), a pact interaction (or its NOT_PINNED reason), a provider
// state that produces it where its data decides it, and a row of the generated reference. A failure
// names the case and the missing place, so adding a code tells you where to go next.
import { describe, expect, it } from 'vitest';
import { DEFAULT_READONLY_BASIC_PASSWORD, DEFAULT_READONLY_BASIC_USER } from '../../src/config/defaults.js';
import { interactions, NOT_PINNED } from '../../src/contracts/interactions.js';
import { renderMarkdownReference } from '../../src/docs/markdown.js';
import { type SmokeCase, smokeCases } from '../../src/load/cases.js';
import { catalogue, ENDPOINT_PATH } from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { describeStates } from '../../src/provider/states.js';

/** Cases the request or its credentials decide alone: no data, so no provider state applies. */
const DECIDED_BY_THE_REQUEST: Readonly<Record<string, string>> = {
  '8899': 'type USERGROUP2',
  '8881': 'programId, or both promotionId and promoIdentifier, missing',
  'http-400': 'a body that breaks the schema',
  'http-401': 'missing or wrong credentials',
  'http-403': 'credentials without write access',
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const BODY_LIMIT = 4096;

/** The smoke's requests as the embedded provider is asked them (its body limit, its read-only user). */
const smoke = smokeCases({
  bodyLimit: BODY_LIMIT,
  readOnlyAuthorization: basic(DEFAULT_READONLY_BASIC_USER, DEFAULT_READONLY_BASIC_PASSWORD),
});

/** The cases the reference provider answers to one smoke request, sent in-process to a fresh provider. */
async function answeredCases(c: SmokeCase): Promise<string[]> {
  const provider = createProvider({ bodyLimit: BODY_LIMIT });
  const headers: Record<string, string> = { 'content-type': c.contentType, host: '127.0.0.1' };
  if (c.auth) headers.authorization = c.authorization ?? basic('directearn', 'directearn');
  const body =
    c.request === null
      ? undefined
      : JSON.stringify(
          c.padBytes ? { ...(c.request as object), padding: 'x'.repeat(c.padBytes) } : c.request,
        );
  const res = await provider.handle({
    method: c.method,
    url: ENDPOINT_PATH,
    headers,
    remoteAddress: '127.0.0.1',
    ...(body === undefined ? {} : { body }),
  });
  if (res.status !== 200)
    return catalogue().some((e) => e.case === `http-${res.status}`) ? [`http-${res.status}`] : [];
  const answer = JSON.parse(res.body) as {
    response: { errors?: { code: number }[]; warnings?: { code: number }[] }[];
  };
  return answer.response.map((entry) => {
    const code = entry.errors?.[0]?.code ?? entry.warnings?.[0]?.code;
    return catalogue().find((e) => e.kind !== 'http' && e.code === (code ?? null))?.case ?? `code ${code}`;
  });
}

/** Where the places of a case are looked up: the real registries, or a test's stand-ins. */
interface Places {
  smoke: { cases: SmokeCase[]; skipped: { case: string; reason: string }[] };
  pinned: ReadonlySet<string>;
  notPinned: Readonly<Record<string, string>>;
  states: readonly { name: string; case: string }[];
  reference: string;
}

const realPlaces = (): Places => ({
  smoke,
  pinned: new Set(interactions().map((i) => i.case)),
  notPinned: NOT_PINNED,
  states: describeStates(),
  reference: renderMarkdownReference(),
});

/** What is missing for one case, each naming the place to add it. */
async function missingPlaces(name: string, given: Partial<Places> = {}): Promise<string[]> {
  const known = { ...realPlaces(), ...given };
  const missing: string[] = [];
  const requests = known.smoke.cases.filter((c) => c.case === name);
  const reason = known.smoke.skipped.find((s) => s.case === name)?.reason;
  if (requests.length === 0 && reason === undefined)
    missing.push(
      `case ${name}: no request example answers it (openapi/directEarn.yaml: a request example and its 200 example, paired by key), and no reason in src/load/cases.ts why none can be sent`,
    );
  for (const c of requests) {
    const got = await answeredCases(c);
    if (!got.includes(name))
      missing.push(
        `case ${name}: the reference provider answers "${c.name}" with ${got.join(', ') || 'nothing'} (src/provider/answer.ts, src/provider/fixtures.ts)`,
      );
  }
  const pinned = known.pinned.has(name);
  if (!pinned && known.notPinned[name] === undefined)
    missing.push(
      `case ${name}: no pact interaction and no reason in NOT_PINNED (src/contracts/interactions.ts)`,
    );
  const stateCases = new Set(known.states.map((s) => s.case));
  if (pinned && !stateCases.has(name) && DECIDED_BY_THE_REQUEST[name] === undefined)
    missing.push(
      `case ${name}: no provider state produces it (src/states/index.ts, its handler in src/provider/state-handlers.ts and case '${name}' in src/provider/state-specs.ts), and it is not one the request alone decides`,
    );
  if (!new RegExp(`^\\| ${name} \\|`, 'm').test(known.reference))
    missing.push(
      `case ${name}: no row in the reference's codes table (src/docs/markdown.ts, directearn docs)`,
    );
  return missing;
}

describe('every catalogue case, in every place', () => {
  it('has a provider answer, a pact interaction or reason, a state where one applies, and a docs row', async () => {
    const names = catalogue().map((c) => c.case);
    expect(names.length).toBeGreaterThan(10);
    const missing = (await Promise.all(names.map((n) => missingPlaces(n)))).flat();
    expect(missing).toEqual([]);
  });

  it('has no state, reason or exemption naming a case the catalogue lacks', () => {
    const names = new Set(catalogue().map((c) => c.case));
    const stale = [
      ...describeStates()
        .filter((s) => !names.has(s.case))
        .map(
          (s) => `state "${s.name}" (src/provider/state-specs.ts) produces ${s.case}, not a catalogue case`,
        ),
      ...Object.keys(NOT_PINNED)
        .filter((c) => !names.has(c))
        .map((c) => `NOT_PINNED (src/contracts/interactions.ts) names ${c}, not a catalogue case`),
      ...Object.keys(DECIDED_BY_THE_REQUEST)
        .filter((c) => !names.has(c))
        .map((c) => `DECIDED_BY_THE_REQUEST (this file) names ${c}, not a catalogue case`),
    ];
    expect(stale).toEqual([]);
  });

  it('names the case and the place when a case is missing from each', async () => {
    const states = describeStates().filter((s) => s.case !== '8892');
    expect(
      await missingPlaces('8892', {
        smoke: { cases: smoke.cases.filter((c) => c.case !== '8892'), skipped: smoke.skipped },
        pinned: new Set(
          interactions()
            .map((i) => i.case)
            .filter((c) => c !== '8892'),
        ),
        reference: renderMarkdownReference().replace(/^\| 8892 \|.*$/m, ''),
      }),
    ).toEqual([
      expect.stringMatching(/^case 8892: no request example answers it \(openapi\/directEarn\.yaml/),
      'case 8892: no pact interaction and no reason in NOT_PINNED (src/contracts/interactions.ts)',
      "case 8892: no row in the reference's codes table (src/docs/markdown.ts, directearn docs)",
    ]);
    // Pinned, but no state produces it: the state's files are named.
    expect(await missingPlaces('8892', { states })).toEqual([
      expect.stringMatching(/^case 8892: no provider state produces it \(src\/states\/index\.ts/),
    ]);
    // Its request answered with another case: the provider's files are named.
    const earned = smoke.cases.find((c) => c.case === 'earned') as SmokeCase;
    expect(
      await missingPlaces('8892', { smoke: { cases: [{ ...earned, case: '8892' }], skipped: [] } }),
    ).toEqual([
      expect.stringMatching(
        /^case 8892: the reference provider answers ".+" with earned.* \(src\/provider\/answer\.ts/,
      ),
    ]);
  });
});
