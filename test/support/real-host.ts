// A reference provider prepared as a team would prepare a real CRM for `verify --target`: its own
// IDs (none of the pacts'), customers with earn limits, a promotion that can never be issued, an
// exhausted customer, and a pool of fresh customers; plus the states file that maps onto it.
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import type { Fixtures } from '../../src/provider/index.js';
import { STATES } from '../../src/states/index.js';

/** Every credential a host accepts, as verify/check flags: each interaction's auth mode is sent. */
export const ALL_CREDENTIAL_FLAGS: readonly string[] = [
  '--basic',
  `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`,
  '--token',
  DEFAULT_TOKEN,
  '--readonly-basic',
  `${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`,
];

const PROGRAM = 100;
const ACTIVE = 1001;
const IDENTIFIER = 'PROMO_A';
const EXISTING = 9000;
const EXHAUSTED = 9001;
/** Earns allowed per customer: the doc's mixed interaction earns twice for one customer. */
const LIMIT = 2;

const mobile = (id: number) => `91${String(id).padStart(10, '0')}`;
const email = (id: number) => `c${id}@example.com`;

/** Fixtures of the prepared host, with `poolSize` fresh customers from 10000 on. */
export function preparedFixtures(poolSize: number): Fixtures {
  const pool = Array.from({ length: poolSize }, (_, i) => 10_000 + i);
  return {
    programs: [
      {
        id: PROGRAM,
        promotions: [
          { id: ACTIVE, identifier: IDENTIFIER, active: true, earnLimitPerCustomer: LIMIT },
          { id: 1002, active: false },
          { id: 1003, active: true, earnLimitPerCustomer: 0 },
        ],
      },
    ],
    customers: [EXISTING, EXHAUSTED, ...pool].map((id) => ({ id, mobile: mobile(id), email: email(id) })),
    earnCounts: [{ customerId: EXHAUSTED, programId: PROGRAM, promotionId: ACTIVE, count: LIMIT }],
  };
}

/** The states file (as an object, for YAML) mapping every data state onto the prepared host. */
export function preparedStates(poolSize: number): Record<string, unknown> {
  return {
    [STATES.promotionActive]: { programId: PROGRAM, promotionId: ACTIVE },
    [STATES.promotionInactive]: { programId: PROGRAM, promotionId: 1002 },
    [STATES.promotionNeverIssued]: { programId: PROGRAM, promotionId: 1003 },
    [STATES.programMissing]: { programId: 999 },
    [STATES.promotionMissing]: { programId: PROGRAM, promotion: 99_999 },
    [STATES.customerExists]: { customerId: EXISTING, mobile: mobile(EXISTING), email: email(EXISTING) },
    [STATES.customerMissing]: { identifierName: 'mobile', identifierValue: '910000000000' },
    [STATES.customerExhausted]: { customerId: EXHAUSTED, promotion: IDENTIFIER, programId: PROGRAM },
    pool: {
      customers: Array.from({ length: poolSize }, (_, i) => {
        const id = 10_000 + i;
        return { customerId: id, mobile: mobile(id), email: email(id) };
      }),
    },
  };
}
