// Which program, promotion and identifier a load run sends, and the preflight request that shows the
// promotion earns on the target before k6 starts, so nobody load-tests the error path by accident.
import { statSync } from 'node:fs';
import {
  LOAD_CUSTOMER_ID_FIRST,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
  loadCustomerEmail,
  loadCustomerMobile,
} from '../config/defaults.js';
import { type IdentifierName, k6Env } from '../config/k6-contract.js';
import { UnreachableError, UsageError, UserFacingError } from '../errors.js';
import { readInputText } from '../input/file.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import { BoundedExchangeError, boundedExchange, exchangeDeadlineMs } from '../util/bounded-http.js';

export type { IdentifierName };
export const IDENTIFIER_NAMES: readonly IdentifierName[] = ['id', 'mobile', 'email'];

/** What every request of a load run names. */
export interface LoadIdentity {
  programId: number;
  /** Exactly one of promotionId and promoIdentifier is set. */
  promotionId?: number;
  promoIdentifier?: string;
  identifierName: IdentifierName;
}

/** The flags (or library options) a run may set; unset ones fall back to the environment, then the embedded provider's IDs. */
export interface IdentityOptions {
  programId?: number;
  promotionId?: number;
  promoIdentifier?: string;
  identifierName?: string;
}

function envId(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * Options first, then DIRECTEARN_PROGRAM_ID / DIRECTEARN_PROMOTION_ID / DIRECTEARN_PROMO_IDENTIFIER /
 * DIRECTEARN_IDENTIFIER_NAME, then the embedded provider's program and promotion with `id`.
 */
export function resolveIdentity(options: IdentityOptions, env: NodeJS.ProcessEnv): LoadIdentity {
  const programId = options.programId ?? envId(env, 'DIRECTEARN_PROGRAM_ID') ?? LOAD_PROGRAM_ID;
  let promotionId = options.promotionId;
  let promoIdentifier = options.promoIdentifier;
  if (promotionId !== undefined && promoIdentifier !== undefined) {
    throw new UsageError('give --promotion or --promo-identifier, not both');
  }
  // A flag for one promotion field wins over the variable of the other.
  if (promotionId === undefined && promoIdentifier === undefined) {
    promotionId = envId(env, 'DIRECTEARN_PROMOTION_ID');
    promoIdentifier = nonEmpty(env.DIRECTEARN_PROMO_IDENTIFIER);
    if (promotionId !== undefined && promoIdentifier !== undefined) {
      throw new UsageError('DIRECTEARN_PROMOTION_ID and DIRECTEARN_PROMO_IDENTIFIER are both set: keep one');
    }
    if (promotionId === undefined && promoIdentifier === undefined) promotionId = LOAD_PROMOTION_ID;
  }
  if (promoIdentifier !== undefined && promoIdentifier.trim() === '') {
    throw new UsageError('--promo-identifier must not be empty');
  }
  const name = options.identifierName ?? nonEmpty(env.DIRECTEARN_IDENTIFIER_NAME) ?? 'id';
  if (!IDENTIFIER_NAMES.includes(name as IdentifierName)) {
    throw new UsageError(`--identifier-name must be id, mobile or email, got "${name}"`);
  }
  return {
    programId,
    ...(promotionId !== undefined ? { promotionId } : { promoIdentifier: promoIdentifier as string }),
    identifierName: name as IdentifierName,
  };
}

/** The variables k6/config.ts reads for the identity (an unset promotion field is passed empty). */
export function identityVars(identity: LoadIdentity): Record<string, string> {
  return k6Env({
    programId: identity.programId,
    promotionId: identity.promotionId ?? '',
    promoIdentifier: identity.promoIdentifier ?? '',
    identifierName: identity.identifierName,
  });
}

/** "program 469, promotion 56799" or "program 7001, promoIdentifier SUMMER". */
export function describeIdentity(identity: LoadIdentity): string {
  const promotion =
    identity.promotionId !== undefined
      ? `promotion ${identity.promotionId}`
      : `promoIdentifier ${identity.promoIdentifier}`;
  return `program ${identity.programId}, ${promotion}, identifierName ${identity.identifierName}`;
}

/** The first `count` identifier values the k6 scripts send: the CSV's first column, else the generated range. */
export function firstCustomers(identity: LoadIdentity, count: number, csvPath?: string): string[] {
  if (csvPath !== undefined) {
    let text: string;
    try {
      // k6 opens the file again in every VU's init code: it must be a file that reads the same
      // twice (not a pipe or a device), and bounded (k6's open() has no cap).
      if (!statSync(csvPath).isFile())
        throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
      text = readInputText(csvPath);
    } catch (e) {
      throw new UserFacingError(
        `--customers-csv ${csvPath} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    const values = text
      .split(/\r?\n/)
      .slice(1)
      .map((line) => (line.split(',')[0] ?? '').trim().replace(/^"|"$/g, ''))
      .filter((v) => v !== '');
    if (values.length === 0)
      throw new UserFacingError(`--customers-csv ${csvPath} has no customer below its header line`);
    return values.slice(0, count);
  }
  return Array.from({ length: count }, (_, i) => {
    const id = LOAD_CUSTOMER_ID_FIRST + i;
    if (identity.identifierName === 'mobile') return loadCustomerMobile(id);
    if (identity.identifierName === 'email') return loadCustomerEmail(id);
    return String(id);
  });
}

interface Entry {
  errors?: { code?: number; message?: string }[];
  warnings?: { code?: number; message?: string }[];
}

/** How long the load preflight's request may take, whole, by default. */
export const LOAD_PREFLIGHT_TIMEOUT_MS = 15_000;

/**
 * POST with node:http(s) (fetch refuses ports browsers block (1, 6000, 10080, ...), which a target
 * may well listen on), bounded: no redirect followed, the answer capped, the whole exchange timed.
 */
async function post(
  url: string,
  body: string,
  authorization: string | Record<string, string>,
  deadlineMs: number,
): Promise<{ status: number; text: string }> {
  const credentials = typeof authorization === 'string' ? { Authorization: authorization } : authorization;
  const x = boundedExchange(new URL(url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...credentials },
    body,
    deadlineMs,
  });
  const answer = await x.answer;
  return { status: answer.status, text: answer.body.toString('utf8') };
}

/** Customers the preflight issues the promotion to (real promotions on a real host). */
export const PREFLIGHT_CUSTOMERS = 3;

/**
 * One directEarn request for the first customers of the run. Resolves when the target answers 200
 * and every customer was issued (no error, no 8890 warning); otherwise a UserFacingError with the code and message the target
 * answered, or an UnreachableError when it cannot be reached or refuses the credentials.
 */
export async function preflight(
  target: string,
  identity: LoadIdentity,
  /** The Authorization value, or the credential headers themselves (an OAuth token's X-CAP-API-OAUTH-TOKEN). */
  authorization: string | Record<string, string>,
  customers: string[],
  /** The customers' source, as the k6 scripts send it (DIRECTEARN_SOURCE, default INSTORE). */
  source = 'INSTORE',
): Promise<void> {
  const url = `${target.replace(/\/+$/, '')}${ENDPOINT_PATH}`;
  // Read before the request: a bad value is a usage error, not an unreachable target.
  const deadlineMs = exchangeDeadlineMs(process.env, LOAD_PREFLIGHT_TIMEOUT_MS);
  const body = {
    type: 'CUSTOMER',
    promotionDetails: {
      programId: identity.programId,
      ...(identity.promotionId !== undefined
        ? { promotionId: identity.promotionId }
        : { promoIdentifier: identity.promoIdentifier }),
    },
    identifierName: identity.identifierName,
    customers: customers.map((identifierValue) => ({ identifierValue, source })),
  };
  let res: { status: number; text: string };
  try {
    res = await post(url, JSON.stringify(body), authorization, deadlineMs);
  } catch (e) {
    // A redirect or an oversized answer came from a host that answers: it is wrong, not away.
    if (e instanceof BoundedExchangeError && (e.kind === 'redirect' || e.kind === 'too-big'))
      throw new UserFacingError(
        `preflight: ${target} ${e.kind === 'redirect' ? '' : 'sent an '}${e.message}; no load was sent`,
      );
    throw new UnreachableError(
      `preflight: ${target} is not reachable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const { text } = res;
  const what = `${describeIdentity(identity)}`;
  if (res.status === 401 || res.status === 403) {
    throw new UnreachableError(`preflight: ${target} refused the credentials (HTTP ${res.status})`);
  }
  let json: { code?: number; message?: string; response?: Entry[] } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status !== 200) {
    const said = json?.message !== undefined ? `: ${json.code ?? res.status} "${json.message}"` : '';
    throw new UserFacingError(`preflight (${what}) answered HTTP ${res.status}${said}; no load was sent`);
  }
  const entries = json?.response ?? [];
  const at = entries.findIndex((e) => (e.errors ?? []).length > 0);
  if (json?.response === undefined) {
    throw new UserFacingError(`preflight (${what}) answered 200 without a response list; no load was sent`);
  }
  if (at >= 0) {
    const err = entries[at]?.errors?.[0];
    throw new UserFacingError(
      `preflight: ${what} does not earn for customer ${customers[at]}: ${err?.code} "${err?.message}"; no load was sent (choose a promotion that earns, see docs/real-host.md "Load a real host")`,
    );
  }
  // 8890 is a warning only in that it does not count as a failure: the customer was NOT issued, and
  // a run on such customers measures the warning path, not a campaign.
  const warnedAt = entries.findIndex((e) => (e.warnings ?? []).length > 0);
  if (warnedAt >= 0) {
    const warning = entries[warnedAt]?.warnings?.[0];
    throw new UserFacingError(
      `preflight: ${what} did not issue to customer ${customers[warnedAt]}: warning ${warning?.code} "${warning?.message}" (not issued); no load was sent (use fresh customers, --customers-csv, or a promotion with a higher earn limit)`,
    );
  }
  if (entries.length < customers.length) {
    throw new UserFacingError(
      `preflight (${what}) answered ${entries.length} entries for ${customers.length} customers; no load was sent`,
    );
  }
}
