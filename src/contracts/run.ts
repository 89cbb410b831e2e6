// The contracts as one programmatic API, for `directearn check`, `directearn verify` and tests; each
// job lives in its own module: consumer.ts (the consumer run), spec-check.ts (pacts vs the spec),
// verification.ts (replaying the pacts against a provider).
export { type ConsumerRunResult, type ContractTest, runConsumerContracts } from './consumer.js';
export { checkPactsAgainstSpec, type SpecCheckResult } from './spec-check.js';
export type { StatesFile, StatesMap } from './states-file.js';
export {
  type Credentials,
  type VerificationStatus,
  type VerifiedInteraction,
  type VerifyOptions,
  type VerifyResult,
  verifyPacts,
} from './verification.js';
