// Shared helpers of the provider tests: a request in the shape the endpoint takes, sent in-process.
import { DEFAULT_TOKEN } from '../../src/config/defaults.js';
import {
  type EarnResult,
  ENDPOINT_PATH,
  type HttpErrorBody,
  validateResponse,
} from '../../src/openapi/index.js';
import type { Provider, ProviderResponse } from '../../src/provider/index.js';

export const AUTH = { authorization: `Bearer ${DEFAULT_TOKEN}` };
export const JSON_CT = { 'content-type': 'application/json' };

/** A 200 or error body as the tests read it. */
export interface Answer {
  response: {
    result?: EarnResult;
    errors: { status: false; code: number; message: string }[];
    warnings: { status: false; code: number; message: string }[];
  }[];
  totalCount: number;
  failureCount: number;
  errors: HttpErrorBody['errors'];
}

export interface Sent {
  res: ProviderResponse;
  json: Answer;
}

/** POSTs a body (an object is JSON-encoded) to the endpoint and checks the answer against the spec. */
export async function post(
  provider: Provider,
  body: unknown,
  headers: Record<string, string> = { ...AUTH, ...JSON_CT },
): Promise<Sent> {
  const raw = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const res = await provider.handle({ method: 'POST', url: ENDPOINT_PATH, headers, body: raw });
  const json = JSON.parse(res.body);
  const checked = validateResponse(res.status, json);
  if (!checked.ok) throw new Error(`answer ${res.status} breaks the spec: ${JSON.stringify(checked.issues)}`);
  return { res, json };
}

/** A CUSTOMER request by customer ID for a program and promotion. */
export function request(
  programId: number,
  promotion: number | string,
  ids: (number | string)[],
  identifierName: 'id' | 'mobile' | 'email' = 'id',
): Record<string, unknown> {
  return {
    type: 'CUSTOMER',
    promotionDetails:
      typeof promotion === 'number'
        ? { programId, promotionId: promotion }
        : { programId, promoIdentifier: promotion },
    identifierName,
    customers: ids.map((id) => ({ identifierValue: String(id), source: 'INSTORE' })),
  };
}

/** The codes of each entry (0 for an earn), in order. */
export function codes(json: Pick<Answer, 'response'>): number[] {
  return json.response.map((e) => e.errors[0]?.code ?? e.warnings[0]?.code ?? 0);
}
