// What the client's own code reads from answers and writes into requests, as properties of the
// spec's schemas: `directearn diff` grades a change that takes one away as breaking for this client.
// test/client/uses.test.ts derives the same list from src/client with the TypeScript compiler and
// fails when the two differ, so the list cannot drift from the code.

/** One property of a spec schema that the client's code depends on. */
export interface ClientUse {
  /** The schema property, as `EarnResult.earnedId`, or `HttpError.errors[].field` inside an item. */
  field: string;
  /** reads: taken from an answer; sends: written into a request by the client itself. */
  use: 'reads' | 'sends';
  /** Where in src/client: `file function` (`client.ts outcomeOf`). */
  by: string[];
  /** The literal values the client's code writes (sends only): enum values it sends of its own accord. */
  values?: string[];
}

export const CLIENT_USES: readonly ClientUse[] = [
  // Answers: the per-customer outcome (outcomeOf), the counts and entries (earn), the HTTP error's
  // first message and field (post).
  { field: 'DirectEarnResponse.failureCount', use: 'reads', by: ['client.ts DirectEarnClient.earn'] },
  {
    field: 'DirectEarnResponse.response',
    use: 'reads',
    by: ['client.ts DirectEarnClient.earn', 'client.ts DirectEarnClient.post'],
  },
  { field: 'DirectEarnResponse.totalCount', use: 'reads', by: ['client.ts DirectEarnClient.earn'] },
  { field: 'EarnResult.earnedId', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EarnResult.entityId', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EarnResult.issualId', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EarnResult.programId', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EarnResult.promoIdentifier', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EarnResult.promotionId', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EntityResponse.errors', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EntityResponse.result', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'EntityResponse.warnings', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'HttpError.errors', use: 'reads', by: ['client.ts DirectEarnClient.post'] },
  { field: 'HttpError.errors[].field', use: 'reads', by: ['client.ts DirectEarnClient.post'] },
  { field: 'HttpError.errors[].message', use: 'reads', by: ['client.ts DirectEarnClient.post'] },
  { field: 'Message.code', use: 'reads', by: ['client.ts outcomeOf'] },
  { field: 'Message.message', use: 'reads', by: ['client.ts outcomeOf'] },
  // Requests: what the bulk helper writes of its own accord (the rest comes from its caller).
  {
    field: 'DirectEarnRequest.customers',
    use: 'sends',
    by: ['bulk.ts earnBulk', 'client.ts DirectEarnClient.earn'],
  },
  { field: 'DirectEarnRequest.identifierName', use: 'sends', by: ['bulk.ts earnBulk'] },
  { field: 'DirectEarnRequest.promotionDetails', use: 'sends', by: ['bulk.ts earnBulk'] },
  { field: 'DirectEarnRequest.type', use: 'sends', by: ['bulk.ts earnBulk'], values: ['CUSTOMER'] },
];
