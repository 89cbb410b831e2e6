// Shared by the consumer test files: turns a row of src/contracts/interactions.ts into a Pact V4
// interaction (generated values as matchers, documented values exact) and checks what the client
// makes of the mock server's answer.
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { expect, it } from 'vitest';
import { type Auth, DirectEarnClient, DirectEarnHttpError } from '../../src/client/index.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
  PACT_CONSUMER,
  PACT_PROVIDER,
} from '../../src/config/defaults.js';
import { type Interaction, interactions } from '../../src/contracts/interactions.js';
import { PACT_DIR } from '../../src/contracts/pacts.js';
import { type DirectEarnRequest, ENDPOINT_PATH, type EntityResponse } from '../../src/openapi/index.js';

const { integer, regex, string } = MatchersV3;

const AUTH: Record<Interaction['auth'], Auth> = {
  basic: { kind: 'basic', user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
  'basic-readonly': {
    kind: 'basic',
    user: DEFAULT_READONLY_BASIC_USER,
    password: DEFAULT_READONLY_BASIC_PASSWORD,
  },
  bearer: { kind: 'bearer', token: DEFAULT_TOKEN },
  'cap-oauth': { kind: 'cap-oauth', token: DEFAULT_TOKEN },
  none: { kind: 'none' },
};

/** Request headers: the credential is matched by shape, so a provider may be verified with its own. */
function requestHeaders(i: Interaction): Record<string, unknown> {
  const headers: Record<string, unknown> = { 'Content-Type': 'application/json' };
  const auth = AUTH[i.auth];
  if (auth.kind === 'basic') {
    const value = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    headers.Authorization = regex('^Basic [A-Za-z0-9+/]+=*$', value);
  } else if (auth.kind === 'bearer') {
    headers.Authorization = regex('^Bearer \\S+$', `Bearer ${auth.token}`);
  } else if (auth.kind === 'cap-oauth') {
    headers['X-CAP-API-OAUTH-TOKEN'] = string(auth.token);
  }
  return headers;
}

/**
 * The expected body with matchers: earnedId/issualId (generated, numeric strings as the examples
 * show) by regex, entityId by integer type; codes, messages, counts and promotion fields exactly.
 * HTTP error bodies are inferred (the doc has none): their code is exact, the wording by type.
 */
export function expectedBody(i: Interaction): unknown {
  if (i.status !== 200) {
    const body = i.responseBody as { errors: Record<string, unknown>[] };
    return {
      errors: body.errors.map((e) => {
        const out: Record<string, unknown> = {
          status: e.status,
          code: e.code,
          message: string(String(e.message)),
        };
        if (typeof e.field === 'string') out.field = string(e.field);
        return out;
      }),
    };
  }
  const body = i.responseBody as { response: EntityResponse[]; totalCount: number; failureCount: number };
  return {
    ...body,
    response: body.response.map((entry) => {
      if (entry.result === undefined) return entry;
      const r = { ...(entry.result as Record<string, unknown>) };
      if (typeof r.entityId === 'number') r.entityId = integer(r.entityId);
      for (const key of ['earnedId', 'issualId']) {
        if (r[key] !== undefined) r[key] = regex('^[0-9]+$', String(r[key]));
      }
      return { ...entry, result: r };
    }),
  };
}

/** What the client must make of the documented answer: one outcome per customer, by kind and code. */
async function checkClient(i: Interaction, baseUrl: string): Promise<void> {
  const client = new DirectEarnClient({ baseUrl, auth: AUTH[i.auth], strict: true });
  const request = i.requestBody as DirectEarnRequest;
  if (i.status !== 200) {
    const error = await client.earn(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DirectEarnHttpError);
    const http = error as DirectEarnHttpError;
    expect(http.status).toBe(i.status);
    const first = (i.responseBody as { errors: { message: string; field?: string }[] }).errors[0];
    expect(http.serverMessage).toBe(first?.message);
    expect(http.field).toBe(first?.field);
    expect(http.specIssues).toEqual([]);
    // A pinned Retry-After (the 429) reaches the error in milliseconds, for the caller's retry.
    const retryAfter = i.responseHeaders['Retry-After']?.example;
    expect(http.retryAfterMs).toBe(retryAfter === undefined ? undefined : Number(retryAfter) * 1000);
    return;
  }
  const result = await client.earn(request);
  const documented = (i.responseBody as { response: EntityResponse[]; failureCount: number }).response;
  expect(result.outcomes.map((o) => o.customer)).toEqual(request.customers);
  expect(
    result.outcomes.map((o) => (o.kind === 'failed' || o.kind === 'warned' ? `${o.kind} ${o.code}` : o.kind)),
  ).toEqual(
    documented.map((e) =>
      e.errors[0] ? `failed ${e.errors[0].code}` : e.warnings[0] ? `warned ${e.warnings[0].code}` : 'earned',
    ),
  );
  expect(result.counts.failed).toBe(result.failureCount);
  expect(result.totalCount).toBe(request.customers.length);
}

/** One `it` per interaction of the table that `filter` keeps. */
export function describeInteractions(filter: (i: Interaction) => boolean): void {
  const pact = new PactV4({
    consumer: PACT_CONSUMER,
    provider: PACT_PROVIDER,
    // runConsumerContracts({ pactDir }) points the run elsewhere (tests use a temp folder).
    dir: process.env.DIRECTEARN_PACT_DIR ?? PACT_DIR,
    logLevel: 'warn',
  });
  for (const i of interactions().filter(filter)) {
    it(i.description, async () => {
      let builder = pact.addInteraction();
      for (const s of i.states) builder = builder.given(s.name, s.params);
      await builder
        .uponReceiving(i.description)
        .withRequest('POST', ENDPOINT_PATH, (b) => {
          b.headers(requestHeaders(i) as never).jsonBody(i.requestBody);
        })
        .willRespondWith(i.status, (b) => {
          const headers: Record<string, unknown> = {
            'Content-Type': regex('^application/json(;.*)?$', 'application/json'),
          };
          for (const [name, h] of Object.entries(i.responseHeaders))
            headers[name] = regex(h.pattern, h.example);
          b.headers(headers as never).jsonBody(expectedBody(i));
        })
        .executeTest(async (mock) => checkClient(i, mock.url));
    });
  }
}
