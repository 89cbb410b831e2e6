"""A consumer's test suite against the directearn stub: every provider state, each documented case.

Run: python3 -m unittest -v   (in this folder; see directearn_stub.py for DIRECTEARN_CMD and
DIRECTEARN_PROXY_REPORT). Written from the README only: state sentences, codes, default IDs.
"""

import unittest

from directearn_stub import Stub

PROGRAM, PROMOTION = 469, 56799  # active and unlimited in the default fixtures
CUSTOMER = "98662653"  # exists in the default fixtures


def request(customers, program=PROGRAM, promotion=PROMOTION, identifier_name="id", type_="CUSTOMER"):
    details = {"programId": program}
    if isinstance(promotion, str):
        details["promoIdentifier"] = promotion
    elif promotion is not None:
        details["promotionId"] = promotion
    return {
        "type": type_,
        "promotionDetails": details,
        "identifierName": identifier_name,
        "customers": [{"identifierValue": c, "source": "INSTORE"} for c in customers],
    }


class DirectEarnStubTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stub = Stub()

    @classmethod
    def tearDownClass(cls):
        cls.stub.stop()

    def setUp(self):
        self.stub.reset()

    def entry_codes(self, answer):
        self.assertEqual(answer.status, 200, answer.json)
        return [
            [e["code"] for e in entry["errors"]] + [w["code"] for w in entry["warnings"]]
            for entry in answer.json["response"]
        ]

    def test_lists_ten_states_each_with_its_case(self):
        cases = {s["name"]: s["case"] for s in self.stub.states()}
        self.assertEqual(len(cases), 10)
        self.assertEqual(cases["promotion {promotionId} of program {programId} is inactive"], "8892")

    def test_active_promotion_earns_and_the_ledger_shows_it(self):
        self.stub.set_state("program {programId} has active promotion {promotionId}", programId=7, promotionId=70)
        self.stub.set_state("customer {customerId} exists", customerId=555)
        answer = self.stub.earn(request(["555"], program=7, promotion=70))
        self.assertEqual(self.entry_codes(answer), [[]])
        result = answer.json["response"][0]["result"]
        self.assertEqual(result["entityId"], 555)
        ledger = self.stub.ledger()
        self.assertEqual([(e["customerId"], e["earnedId"]) for e in ledger], [(555, result["earnedId"])])

    def test_earned_ids_stay_unique_across_resets(self):
        first = self.stub.earn(request([CUSTOMER])).json["response"][0]["result"]["earnedId"]
        self.stub.reset()
        second = self.stub.earn(request([CUSTOMER])).json["response"][0]["result"]["earnedId"]
        self.assertNotEqual(first, second)

    def test_earn_limit_gives_8890_once_used(self):
        self.stub.set_state(
            "program {programId} has active promotion {promotionId}",
            programId=PROGRAM, promotionId=PROMOTION, earnLimitPerCustomer=1,
        )
        answer = self.stub.earn(request([CUSTOMER, CUSTOMER]))
        self.assertEqual(self.entry_codes(answer), [[], [8890]])
        self.assertEqual(answer.json["failureCount"], 0)

    def test_inactive_promotion_gives_8892(self):
        self.stub.set_state("promotion {promotionId} of program {programId} is inactive", programId=PROGRAM, promotionId=PROMOTION)
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER]))), [[8892]])

    def test_promotion_never_issued_gives_8890_without_ids(self):
        self.stub.set_state("promotion {promotionId} of program {programId} can never be issued", programId=PROGRAM, promotionId=PROMOTION)
        answer = self.stub.earn(request([CUSTOMER]))
        self.assertEqual(self.entry_codes(answer), [[8890]])
        self.assertNotIn("earnedId", answer.json["response"][0]["result"])

    def test_missing_program_gives_1101(self):
        self.stub.set_state("program {programId} does not exist", programId=PROGRAM)
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER]))), [[1101]])

    def test_missing_promotion_gives_8874(self):
        self.stub.set_state("program {programId} has no promotion {promotion}", programId=PROGRAM, promotion="SPRING")
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER], promotion="SPRING"))), [[8874]])

    def test_missing_customer_gives_8015(self):
        self.stub.set_state("no customer has {identifierName} {identifierValue}", identifierName="mobile", identifierValue="919999999999")
        answer = self.stub.earn(request(["919999999999"], identifier_name="mobile"))
        self.assertEqual(self.entry_codes(answer), [[8015]])
        self.assertEqual(answer.json["failureCount"], 1)

    def test_exhausted_customer_gives_8890(self):
        self.stub.set_state(
            "customer {customerId} has exhausted the earn limit of promotion {promotion} of program {programId}",
            customerId=int(CUSTOMER), promotion=str(PROMOTION), programId=PROGRAM,
        )
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER, "98662632"]))), [[8890], []])

    def test_used_up_rate_limit_gives_429_with_retry_after(self):
        self.stub.set_state("the rate limit of {requestsPerSecond} requests per second is used up", requestsPerSecond=1)
        answer = self.stub.earn(request([CUSTOMER]))
        self.assertEqual(answer.status, 429)
        self.assertTrue(answer.headers.get("Retry-After", "").isdigit())

    def test_body_limit_gives_413(self):
        self.stub.set_state("request bodies are limited to {bytes} bytes", bytes=64)
        self.assertEqual(self.stub.earn(request([CUSTOMER])).status, 413)

    def test_user_group_gives_8899_and_missing_program_8881(self):
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER], type_="USERGROUP2"))), [[8899]])
        self.assertEqual(self.entry_codes(self.stub.earn(request([CUSTOMER], promotion=None))), [[8881]])

    def test_unknown_state_parameter_is_refused_by_name(self):
        with self.assertRaisesRegex(AssertionError, "earnLimitPerCustmer"):
            self.stub.set_state(
                "program {programId} has active promotion {promotionId}",
                programId=PROGRAM, promotionId=PROMOTION, earnLimitPerCustmer=1,
            )


if __name__ == "__main__":
    unittest.main()
