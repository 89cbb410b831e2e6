// Every default of the suite in one place: flags and environment variables fall back to these.
// Those k6 shares (load runs, the serve address, credentials, OAuth) are k6/contract.ts's, through
// its generated copy src/config/k6-contract.ts: written once, for both sides of the k6 seam.
import { K6_VARS } from './k6-contract.js';

/** Default credentials the reference provider accepts and the clients send, when none are given. */
export {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  /** Where `directearn serve` listens unless told otherwise. */
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_TOKEN_TTL_SECONDS,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  loadCustomerEmail,
  loadCustomerMobile,
  OAUTH_TOKEN_PATH,
} from './k6-contract.js';
export const DEFAULT_TOKEN = 'directearn-token';

/** BULK_API_BATCH_SIZE_FOR_REDIRECTION when redirection is enabled and no size is set (the doc's 10). */
export const DEFAULT_REDIRECTION_BATCH_SIZE = 10;

/** Largest request body the provider accepts (a 1000-customer request is about 50 KB). */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** Batch sizes a throughput run measures unless told otherwise. */
export const DEFAULT_BATCH_SIZES: readonly number[] = K6_VARS.batchSizes.fallback;

/** Where reports go unless `--out` says otherwise. */
export const DEFAULT_OUT_DIR = 'reports';

/** Program and promotion load runs issue by default: the doc's request IDs (active, no earn limit). */
export const LOAD_PROGRAM_ID: number = K6_VARS.programId.fallback;
export const LOAD_PROMOTION_ID: number = K6_VARS.promotionId.fallback;

/** The consumer client (src/client): per-request timeout, bulk batch size, parallel batches, attempts. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CLIENT_BATCH_SIZE = 100;
export const DEFAULT_CLIENT_CONCURRENCY = 4;
export const DEFAULT_CLIENT_MAX_ATTEMPTS = 5;
/** Exponential backoff of the bulk helper: first delay, ceiling, and the longest Retry-After it obeys. */
export const DEFAULT_CLIENT_BACKOFF_BASE_MS = 100;
export const DEFAULT_CLIENT_BACKOFF_MAX_MS = 5_000;
export const DEFAULT_CLIENT_MAX_RETRY_AFTER_MS = 60_000;
/** 429 waits per batch, counted apart from failure attempts (a busy server is not a failing one). */
export const DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS = 20;

/** Pact participant names: the pact file is contracts/pacts/<consumer>-<provider>.json. */
export const PACT_CONSUMER = 'directearn-client';
export const PACT_PROVIDER = 'loyalty-directearn';

/** Reference provider: recent ledger entries kept (older earns stay counted, not listed). */
export const DEFAULT_LEDGER_WINDOW = 100_000;
/** Credentials the reference provider accepts without write access (answered 403), for the 403 case. */
export const DEFAULT_READONLY_BASIC_USER = 'readonly';
export const DEFAULT_READONLY_BASIC_PASSWORD = 'readonly';
export const DEFAULT_READONLY_TOKEN = 'directearn-readonly-token';

/** `directearn check`: where its summary (read by `directearn docs`) and load reports go. */
export const DEFAULT_CHECK_DIR = 'reports/check';
/** `directearn check`'s throughput stage: short, so the whole check stays around a minute. */
export const DEFAULT_CHECK_THROUGHPUT: {
  readonly batchSizes: readonly number[];
  readonly durationSeconds: number;
} = { batchSizes: [1, 100], durationSeconds: 3 };
/** `directearn docs`: where the HTML, Markdown and coverage pages go. */
export const DEFAULT_DOCS_DIR = 'reports/docs';

/** Load runs (`directearn load`; a hand-run k6 script falls back to the same k6/contract.ts values). */
export const DEFAULT_LOAD_DURATION: string = K6_VARS.duration.fallback;
/** Concurrent requests at most per batch size; past it k6 drops iterations (the target is saturated). */
export const DEFAULT_LOAD_MAX_VUS: number = K6_VARS.maxVus.fallback;
/** Customers/s offered to every batch size, and the request-rate ceiling of that offer. */
export const DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S: number = K6_VARS.offeredCustomersPerSecond.fallback;
export const DEFAULT_LOAD_OFFERED_MAX_RPS: number = K6_VARS.offeredMaxRps.fallback;
/** Rate scenario: the arrival rate the ramp climbs to (twice the limit when the embedded one has one). */
export const DEFAULT_LOAD_RATE_MAX_RPS: number = K6_VARS.rateMaxRps.fallback;

/**
 * OAuth as the real CRM does it: POST OAUTH_TOKEN_PATH {"key","secret"} gives a token for
 * X-CAP-API-OAUTH-TOKEN that lives ttlSeconds (DEFAULT_TOKEN_TTL_SECONDS, the CRM doc's example).
 * The reference provider accepts this key and secret unless told otherwise.
 */
export const DEFAULT_OAUTH_KEY = 'directearn-key';
export const DEFAULT_OAUTH_SECRET = 'directearn-secret';
