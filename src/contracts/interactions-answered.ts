// The rows of the Pact interaction table whose answer is 200 (earned, and every code the doc gives
// per entry), each naming its catalogue case, examples and provider states.
import { type DirectEarnRequest, example } from '../openapi/index.js';
import { STATES } from '../states/index.js';
import { active, customer, exists, existsAs, program, promotion, type Row } from './interaction-row.js';

export const ANSWERED_ROWS: readonly Row[] = [
  {
    case: 'earned',
    description: 'answers earned with new ids when one customer earns an active promotion',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: "answers earned for both customers of the doc's request",
    request: 'doc-request',
    response: 'doc-request-earned',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r, 0), exists(r, 1)],
  },
  {
    case: 'earned',
    description: 'answers earned when authenticated with the X-CAP-API-OAUTH-TOKEN header',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'cap-oauth',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: 'answers earned when authenticated with an OAuth Bearer token',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'bearer',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: 'answers earned when the customer is named by mobile',
    request: 'request-earned-by-mobile',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [active(r), existsAs(r, res)],
  },
  {
    case: 'earned',
    description: 'answers earned when the customer is named by email',
    request: 'request-earned-by-email',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [active(r), existsAs(r, res)],
  },
  {
    case: '8015',
    description: 'answers 8015 for the unknown customer only, the known one of the batch earns',
    request: 'request-known-and-unknown-customer',
    response: 'known-and-unknown-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [
      active(r),
      existsAs(r, res, 0),
      {
        name: STATES.customerMissing,
        params: { identifierName: r.identifierName, identifierValue: r.customers[1]?.identifierValue ?? '' },
      },
    ],
  },
  {
    case: '8890',
    description: 'answers warning 8890 without ids when the promotion can never be issued',
    request: 'request-earned-one-customer',
    response: 'warning-8890-never-issued',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionNeverIssued, params: { programId: program(r), promotionId: promotion(r) } },
      exists(r),
    ],
  },
  {
    case: '8892',
    description: 'answers 8892 when the promotion is inactive',
    request: 'request-8892',
    response: 'error-8892',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionInactive, params: { promotionId: promotion(r), programId: program(r) } },
      exists(r),
    ],
  },
  {
    case: '8015',
    description: 'answers 8015 when no customer has the identifier',
    request: 'request-8015',
    response: 'error-8015',
    status: 200,
    auth: 'basic',
    states: (r) => [
      active(r),
      {
        name: STATES.customerMissing,
        params: { identifierName: r.identifierName, identifierValue: r.customers[0]?.identifierValue ?? '' },
      },
    ],
  },
  {
    case: '1101',
    description: 'answers 1101 when the program does not exist',
    request: 'request-1101',
    response: 'error-1101',
    status: 200,
    auth: 'basic',
    states: (r) => [{ name: STATES.programMissing, params: { programId: program(r) } }, exists(r)],
  },
  {
    case: '8874',
    description: 'answers 8874 when the promotion id is unknown in the program',
    request: 'request-8874',
    response: 'error-8874',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionMissing, params: { programId: program(r), promotion: promotion(r) } },
      exists(r),
    ],
  },
  {
    case: '8874',
    description: 'answers 8874 when the promoIdentifier is unknown in the program',
    request: 'request-8874-promo-identifier',
    response: 'error-8874',
    status: 200,
    auth: 'basic',
    states: (r) => [
      {
        name: STATES.promotionMissing,
        params: { programId: program(r), promotion: r.promotionDetails?.promoIdentifier ?? '' },
      },
      exists(r),
    ],
  },
  {
    case: '8899',
    description: 'answers 8899 when the entity type is USERGROUP2',
    request: 'request-8899',
    response: 'error-8899',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: '8881',
    description: 'answers 8881 when programId is missing',
    request: 'request-8881-program-missing',
    response: 'error-8881-program-missing',
    status: 200,
    auth: 'basic',
    states: (r) => [exists(r)],
  },
  {
    case: '8881',
    description: 'answers 8881 when neither promotionId nor promoIdentifier is given',
    request: 'request-8881-promotion-missing',
    response: 'error-8881-promotion-missing',
    status: 200,
    auth: 'basic',
    // The program exists (with some promotion): a host that looks the program up first must not
    // answer 1101, so the states file maps the program to a real one.
    states: (r) => [
      {
        name: STATES.promotionActive,
        params: { programId: program(r), promotionId: promotion(example<DirectEarnRequest>('doc-request')) },
      },
      exists(r),
    ],
  },
  {
    case: '8890',
    description: "answers the doc's mixed body (earned twice by promoIdentifier, then warning 8890)",
    request: 'request-mixed-earned-8890-promo-identifier',
    response: 'mixed-earned-8890-promo-identifier',
    status: 200,
    auth: 'basic',
    states: (r) => [
      exists(r, 0),
      {
        name: STATES.customerExhausted,
        params: {
          customerId: customer(r, 2),
          promotion: r.promotionDetails?.promoIdentifier ?? '',
          programId: program(r),
          // The limit customer 2 reached; customer 0, not exhausted, earns twice in this request.
          earnLimitPerCustomer: 2,
        },
      },
    ],
    // The doc's third entry names another program and promotion (2844 / 200206) than the first two
    // (2607 / Promo_testMay13): no single request produces that, since one request names one
    // promotion. The expectation keeps the example and gives the third result the promotion
    // fields of the request (promoIdentifier and programId), as the first two entries have.
    adaptResponse: (res, req) => {
      const third = res.response[2]?.result as Record<string, unknown> | undefined;
      if (third === undefined) throw new Error('the mixed example lost its third result');
      delete third.promotionId;
      third.promoIdentifier = req.promotionDetails?.promoIdentifier;
      third.programId = req.promotionDetails?.programId;
    },
  },
];
