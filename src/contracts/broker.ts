// A Pact Broker client for provider verification, in the broker's documented HAL: the pacts to
// verify come from "pacts for verification" (consumer version selectors, pending and WIP pacts), and
// each pact's verification result goes to its `pb:publish-verification-results` link. The broker is
// an untrusted host like any target: no redirect is followed, answers are bounded in size and time.
import { PACT_PROVIDER } from '../config/defaults.js';
import { UnreachableError } from '../errors.js';

/** A consumer version selector (https://docs.pact.io/pact_broker/advanced_topics/consumer_version_selectors). */
export type ConsumerVersionSelector =
  | { mainBranch: true }
  | { deployedOrReleased: true }
  | { matchingBranch: true }
  | { branch: string }
  | { deployed: true }
  | { released: true };

/** The selectors `verify --broker-url` uses unless told otherwise: what the Pact docs recommend. */
export const DEFAULT_SELECTORS: readonly ConsumerVersionSelector[] = [
  { mainBranch: true },
  { deployedOrReleased: true },
  { matchingBranch: true },
];

/** How to reach a broker. */
export interface BrokerOptions {
  url: string;
  token?: string;
  username?: string;
  password?: string;
  /** Per request, ms. */
  timeoutMs?: number;
}

/** What to ask the broker for. */
export interface ForVerificationOptions {
  selectors: readonly ConsumerVersionSelector[];
  /** The provider's branch: `matchingBranch` and pending status are judged against it. */
  providerBranch?: string;
  enablePending: boolean;
  /** ISO date: include the work-in-progress pacts changed since then (they are pending). */
  includeWipPactsSince?: string;
}

/** One pact the broker wants verified. */
export interface BrokerPact {
  /** Where the pact was fetched from (its `self` link). */
  url: string;
  /** The broker's words on why it was selected. */
  description: string;
  /** A pending pact's failures do not fail the run (a new consumer expectation). */
  pending: boolean;
  wip: boolean;
  /** The pact document. */
  json: Record<string, unknown>;
  /** Where its verification result is published. */
  publishUrl: string | undefined;
}

/** The largest broker answer read, bytes: a pact of this suite is a few tens of KiB. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

function authHeader(o: BrokerOptions): Record<string, string> {
  if (o.token !== undefined) return { Authorization: `Bearer ${o.token}` };
  if (o.username !== undefined)
    return {
      Authorization: `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`,
    };
  return {};
}

/** One request to the broker, its JSON answer; redirects and oversized answers are refused. */
async function call(
  o: BrokerOptions,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        Accept: 'application/hal+json, application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...authHeader(o),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(
      `Pact Broker ${o.url} is unreachable: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    );
  }
  if (res.status >= 300 && res.status < 400)
    throw new UnreachableError(
      `Pact Broker ${o.url} redirected ${method} ${url} (${res.status}): not followed`,
    );
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_ANSWER_BYTES)
    throw new UnreachableError(`Pact Broker ${o.url} answered ${length} bytes to ${url}: over the bound`);
  // Read with a cap: a broker that sends without end is cut off, not buffered whole.
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (let chunk = await reader?.read(); chunk !== undefined && !chunk.done; chunk = await reader?.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader?.cancel();
      throw new UnreachableError(`Pact Broker ${o.url} answered over ${MAX_ANSWER_BYTES} bytes to ${url}`);
    }
    parts.push(chunk.value);
  }
  const text = Buffer.concat(parts).toString('utf8');
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 401 || res.status === 403)
    throw new UnreachableError(
      `Pact Broker ${o.url} refused the credentials (${res.status} to ${method} ${url})`,
    );
  return { status: res.status, json };
}

type Links = Record<string, { href?: string; name?: string; templated?: boolean } | undefined>;

const linksOf = (doc: unknown): Links => ((doc as { _links?: Links } | undefined)?._links ?? {}) as Links;

/** The "pacts for verification" URL, from the index's HAL link (templated by provider). */
async function forVerificationUrl(o: BrokerOptions, provider: string): Promise<string> {
  const base = o.url.replace(/\/+$/, '');
  const index = await call(o, 'GET', `${base}/`);
  const href = linksOf(index.json)['pb:provider-pacts-for-verification']?.href;
  if (index.status !== 200 || href === undefined)
    throw new UnreachableError(
      `${o.url} is not a Pact Broker: its index (${index.status}) has no pb:provider-pacts-for-verification link`,
    );
  return href.replace('{provider}', encodeURIComponent(provider));
}

/** Fetches the pacts the broker selects for this provider, each with its pending/WIP status. */
export async function fetchPactsForVerification(
  o: BrokerOptions,
  what: ForVerificationOptions,
  provider = PACT_PROVIDER,
): Promise<BrokerPact[]> {
  const url = await forVerificationUrl(o, provider);
  const request = {
    consumerVersionSelectors: what.selectors,
    includePendingStatus: what.enablePending,
    ...(what.providerBranch === undefined ? {} : { providerVersionBranch: what.providerBranch }),
    ...(what.includeWipPactsSince === undefined ? {} : { includeWipPactsSince: what.includeWipPactsSince }),
  };
  const answer = await call(o, 'POST', url, request);
  const listed = (answer.json as { _embedded?: { pacts?: unknown } } | undefined)?._embedded?.pacts;
  if (answer.status !== 200 || !Array.isArray(listed))
    throw new UnreachableError(
      `Pact Broker ${o.url} answered ${answer.status} without _embedded.pacts to POST ${url}`,
    );
  const out: BrokerPact[] = [];
  for (const item of listed as {
    shortDescription?: string;
    verificationProperties?: { pending?: boolean; wip?: boolean };
    _links?: Links;
  }[]) {
    const self = item._links?.self?.href;
    if (self === undefined) continue;
    const pact = await call(o, 'GET', self);
    if (pact.status !== 200 || pact.json === null || typeof pact.json !== 'object')
      throw new UnreachableError(`Pact Broker ${o.url} answered ${pact.status} to GET ${self}`);
    out.push({
      url: self,
      description: item.shortDescription ?? self,
      pending: item.verificationProperties?.pending === true,
      wip: item.verificationProperties?.wip === true,
      json: pact.json as Record<string, unknown>,
      publishUrl: linksOf(pact.json)['pb:publish-verification-results']?.href,
    });
  }
  return out;
}

/** One pact's verification result as the broker records it. */
export interface VerificationResult {
  success: boolean;
  providerVersion: string;
  providerBranch?: string;
  testResults: { interactionDescription: string; success: boolean; mismatches?: { description: string }[] }[];
}

/**
 * Publishes a verification result to the pact's link, after recording the provider version on its
 * branch (`PUT /pacticipants/{provider}/branches/{branch}/versions/{version}`), as pact_verifier does.
 */
export async function publishVerificationResult(
  o: BrokerOptions,
  pact: BrokerPact,
  result: VerificationResult,
  version: string,
  provider = PACT_PROVIDER,
): Promise<void> {
  if (pact.publishUrl === undefined)
    throw new UnreachableError(`the pact ${pact.url} has no pb:publish-verification-results link`);
  const base = o.url.replace(/\/+$/, '');
  if (result.providerBranch !== undefined) {
    const branch = `${base}/pacticipants/${encodeURIComponent(provider)}/branches/${encodeURIComponent(result.providerBranch)}/versions/${encodeURIComponent(result.providerVersion)}`;
    const put = await call(o, 'PUT', branch, {});
    if (put.status >= 300)
      throw new UnreachableError(`Pact Broker ${o.url} answered ${put.status} to PUT ${branch}`);
  }
  const posted = await call(o, 'POST', pact.publishUrl, {
    success: result.success,
    providerApplicationVersion: result.providerVersion,
    verifiedBy: { implementation: 'directearn', version },
    testResults: result.testResults,
  });
  if (posted.status >= 300)
    throw new UnreachableError(`Pact Broker ${o.url} answered ${posted.status} to POST ${pact.publishUrl}`);
}
