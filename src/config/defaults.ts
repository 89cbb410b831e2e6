// Every default of the suite in one place: flags and environment variables fall back to these.

/** Default credentials the reference provider accepts and the clients send, when none are given. */
export const DEFAULT_BASIC_USER = 'directearn';
export const DEFAULT_BASIC_PASSWORD = 'directearn';
export const DEFAULT_TOKEN = 'directearn-token';

/** Where `directearn serve` listens unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/** BULK_API_BATCH_SIZE_FOR_REDIRECTION when redirection is enabled and no size is set (the doc's 10). */
export const DEFAULT_REDIRECTION_BATCH_SIZE = 10;

/** Largest request body the provider accepts (a 1000-customer request is about 50 KB). */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** Batch sizes a throughput run measures unless told otherwise. */
export const DEFAULT_BATCH_SIZES: readonly number[] = [1, 10, 50, 100, 500, 1000];

/** Where reports go unless `--out` says otherwise. */
export const DEFAULT_OUT_DIR = 'reports';

/**
 * The reference provider's rule-generated customers for load runs (no giant fixtures file):
 * every id in [LOAD_CUSTOMER_ID_FIRST, LOAD_CUSTOMER_ID_FIRST + LOAD_CUSTOMER_COUNT) exists, with
 * mobile `91${id}` and email `c${id}@load.directearn.test`.
 */
export const LOAD_CUSTOMER_ID_FIRST = 500_000_000;
export const LOAD_CUSTOMER_COUNT = 1_000_000;
export const loadCustomerMobile = (id: number): string => `91${id}`;
export const loadCustomerEmail = (id: number): string => `c${id}@load.directearn.test`;

/** Program and promotion load runs issue by default: the doc's request IDs (active, no earn limit). */
export const LOAD_PROGRAM_ID = 469;
export const LOAD_PROMOTION_ID = 56799;

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

/** Load runs (`directearn load`, k6/config.ts keeps the same values for hand-run k6). */
export const DEFAULT_LOAD_DURATION = '5s';
/** Concurrent requests at most per batch size; past it k6 drops iterations (the target is saturated). */
export const DEFAULT_LOAD_MAX_VUS = 16;
/** Customers/s offered to every batch size, and the request-rate ceiling of that offer. */
export const DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S = 2_000_000;
export const DEFAULT_LOAD_OFFERED_MAX_RPS = 5000;
/** Rate scenario: the arrival rate the ramp climbs to (twice the limit when the embedded one has one). */
export const DEFAULT_LOAD_RATE_MAX_RPS = 400;

/**
 * OAuth as the real CRM does it: POST /v3/oauth/token/generate {"key","secret"} gives a token for
 * X-CAP-API-OAUTH-TOKEN that lives ttlSeconds (300 in the CRM doc's example). The reference
 * provider accepts this key and secret unless told otherwise.
 */
export const OAUTH_TOKEN_PATH = '/v3/oauth/token/generate';
export const DEFAULT_OAUTH_KEY = 'directearn-key';
export const DEFAULT_OAUTH_SECRET = 'directearn-secret';
export const DEFAULT_TOKEN_TTL_SECONDS = 300;
