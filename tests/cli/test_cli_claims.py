"""`jamsos claim`, `accident` and `payout` against the real benefits service, its read model fed
through its own consumers (the fixtures of tests/benefits/service): a JHT claim from the
counter to PAID, a JKK accident assessed item by item, four eyes (O-4), branch scope (O-2),
bad input naming the field."""
from __future__ import annotations

from datetime import date

import pytest

from cli import errors
from tests.benefits.service.conftest import benefits, feed, service  # noqa: F401 - the service and its feed
from tests.benefits.service.support import BRANCH, FINANCE, HEAD, SERVICE, jht_settled, member
from tests.cli.benefits_welfare_cli import Jamsos

ACCOUNT = ("--holder", "Budi Santoso", "--bank", "Bank Negara Indonesia", "--account", "0123456789")
LEFT_COUNTRY_DOCUMENTS = ("CLAIM_FORM_5", "KPJ_ORIGINAL", "ID_CARD", "TERMINATION_LETTER", "STATEMENT_NOT_WORKING",
                          "FAMILY_CARD", "EMIGRATION_STATEMENT", "PASSPORT", "VISA")


@pytest.fixture(scope="module")
def jamsos(service):  # noqa: F811 - the imported fixture
    return Jamsos("benefits", service.grpc_port)


def submitted_jht(jamsos, kpj: str) -> str:
    made = jamsos(BRANCH, SERVICE, "claim", "submit", "jht", kpj, "--reason", "left-country", *ACCOUNT,
                  user="officer")
    assert made.exit_code == 0, made.stderr
    return made.json()["claim"]["claim_id"]


@pytest.mark.rule("B-JHT-1", "B-JHT-2", "B-JHT-3", "O-4")
def test_a_jht_claim_goes_from_the_counter_to_paid_and_the_assessor_may_not_approve_it(jamsos, service, feed):  # noqa: F811
    kpj, _ = member(feed, left_on=date(2024, 4, 30))
    claim_id = submitted_jht(jamsos, kpj)

    partly = jamsos(BRANCH, SERVICE, "claim", "documents", claim_id, "--doc", "CLAIM_FORM_5", "--doc", "PASSPORT",
                    user="officer").json()["claim"]
    assert partly["state"] == "SUBMITTED" and {"VISA", "EMIGRATION_STATEMENT"} <= set(partly["documents_missing"])
    rest = [arg for code in LEFT_COUNTRY_DOCUMENTS for arg in ("--doc", code)]
    checked = jamsos(BRANCH, SERVICE, "claim", "documents", claim_id, *rest, user="officer").json()["claim"]
    # B-JHT-3: complete on TODAY 2024-06-03, paid by 2024-06-03 + 30 days = 2024-07-03.
    assert (checked["state"], checked["documents_missing"], checked["payment_due_on"]) == (
        "DOCUMENTS_CHECKED", [], "2024-07-03")

    two_hats = (SERVICE, HEAD)
    assessed = jamsos(BRANCH, two_hats, "claim", "assess", claim_id, user="assessor")
    assert assessed.exit_code == 0 and assessed.json()["claim"]["state"] == "ASSESSED", assessed.stderr
    own = jamsos(BRANCH, two_hats, "claim", "approve", claim_id, user="assessor", as_json=False)
    assert own.exit_code == errors.RULE_NOT_MET == 4
    assert own.stderr.startswith("jamsos: rule O-4 not met [SAME_PERSON]")

    approved = jamsos(BRANCH, HEAD, "claim", "approve", claim_id, user="head").json()["claim"]
    assert (approved["state"], approved["approved_by"]) == ("APPROVED", "head")
    assert feed(jht_settled(kpj, claim_id, 18_250_000)) == ["applied"]  # contributions paid out the balance
    [order] = [o for o in jamsos(BRANCH, FINANCE, "payout", "list", "--state", "pending-approval").json()["orders"]
               if o["claim_id"] == claim_id]
    assert (order["kind"], order["amount"]) == ("JHT_BALANCE", 18_250_000)
    assert jamsos(BRANCH, FINANCE, "payout", "approve", order["order_id"]).json()["order"]["state"] == "APPROVED"
    paid = jamsos(BRANCH, FINANCE, "payout", "paid", order["order_id"], "--reference", "BNI-TRF-1", "--paid-on",
                  "2024-06-03").json()["order"]
    assert (paid["state"], paid["bank_reference"], paid["paid_on"]) == ("PAID", "BNI-TRF-1", "2024-06-03")

    shown = jamsos(BRANCH, SERVICE, "claim", "show", claim_id).json()["claim"]
    assert (shown["state"], shown["settled_amount"]) == ("PAID", 18_250_000)
    steps = [h["step"] for h in shown["history"]]
    assert steps[0] == "SUBMIT" and {"CHECK_DOCUMENTS", "ASSESS", "APPROVE"} <= set(steps) and steps[-1] == "PAY"
    table = jamsos(BRANCH, SERVICE, "claim", "show", claim_id, as_json=False)
    assert "History" in table.stdout and "Rp18.250.000" in table.stdout


@pytest.mark.rule("B-JKK-1", "B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-6")
def test_a_jkk_accident_is_reported_in_two_stages_and_assessed_item_by_item(jamsos, feed):  # noqa: F811
    kpj, _ = member(feed, wage=5_000_000)
    made = jamsos(BRANCH, SERVICE, "claim", "submit", "jkk", kpj, "--accident-at", "2024-03-04T08:00",
                  "--reported-at", "2024-03-05T08:00", "--description", "fell from a ladder", *ACCOUNT)
    assert made.exit_code == 0, made.stderr
    claim_id = made.json()["claim"]["claim_id"]
    # declared totally disabled 2024-05-01 10:00, reported 2024-05-04 09:00: 71 hours, beyond 2 x 24 (flagged)
    reported = jamsos(BRANCH, SERVICE, "accident", "report", claim_id, "--stage", "2", "--occurred-at",
                      "2024-05-01T10:00", "--reported-at", "2024-05-04T09:00", "--outcome", "total-disability")
    assert reported.exit_code == 0, reported.stderr
    assert [(r["stage"], r["late"], r["hours_taken"]) for r in reported.json()["claim"]["accident_reports"]] == [
        ("ONE", False, 24), ("TWO", True, 71)]
    documents = [a for code in ("KPJ_COPY", "DOCTOR_FORM_3B_3C", "TREATMENT_RECEIPTS", "TRANSPORT_RECEIPTS")
                 for a in ("--doc", code)]
    assert jamsos(BRANCH, SERVICE, "claim", "documents", claim_id, *documents).exit_code == 0
    assessed = jamsos(BRANCH, SERVICE, "claim", "assess", claim_id, "--transport", "land=900000", "--stmb-months",
                      "2", "--medical", "25_000_000")
    assert assessed.exit_code == 0, assessed.stderr
    assessment = assessed.json()["claim"]["assessment"]
    assert {i["code"]: i["amount"] for i in assessment["items"]} == {
        "TRANSPORT_LAND": 750_000,  # 900,000 claimed, capped at 750,000
        "STMB": 10_000_000,  # 2 months x 100% x 5,000,000
        "MEDICAL": 20_000_000,  # 25,000,000 claimed, capped at 20,000,000
        "TOTAL_DISABILITY": 280_000_000,  # 70% x 80 x 5,000,000
    }
    assert [(p["code"], p["monthly"], p["months"]) for p in assessment["periodic"]] == [
        ("TOTAL_DISABILITY_PERIODIC", 200_000, 24)]
    # 750,000 + 10,000,000 + 20,000,000 + 280,000,000 = 310,750,000; + 200,000 x 24 = 315,550,000
    assert (assessment["lump_sum"], assessment["total"]) == (310_750_000, 315_550_000)
    table = jamsos(BRANCH, SERVICE, "claim", "show", claim_id, as_json=False).stdout
    assert "Rp280.000.000" in table and "Rp315.550.000" in table and "Periodic benefits" in table


@pytest.mark.rule("B-JK-1")
def test_a_jk_claim_names_the_heirs_and_lists_by_program_and_state(jamsos, feed):  # noqa: F811
    kpj, _ = member(feed, died_on=date(2024, 5, 2))
    made = jamsos(BRANCH, SERVICE, "claim", "submit", "jk", kpj, "--death-date", "2024-05-02", "--heir",
                  "Ani Lestari=spouse", "--heir", "Rudi=child", "--holder", "Ani Lestari", "--bank", "BNI",
                  "--account", "0123456789")
    assert made.exit_code == 0, made.stderr
    claim = made.json()["claim"]
    assert claim["program"] == "JK" and [h["relation"] for h in claim["jk"]["heirs"]] == ["SPOUSE", "CHILD"]
    listed = jamsos(BRANCH, SERVICE, "claim", "list", "--program", "JK", "--state", "submitted", "--limit", "500")
    assert claim["claim_id"] in [c["claim_id"] for c in listed.json()["claims"]]
    mine = jamsos(BRANCH, SERVICE, "claim", "list", "--kpj", kpj).json()["claims"]
    assert [c["claim_id"] for c in mine] == [claim["claim_id"]]
    assert jamsos(BRANCH, SERVICE, "claim", "at-risk").exit_code == 0


@pytest.mark.rule("O-2")
def test_another_branchs_claim_is_not_found(jamsos, feed):  # noqa: F811
    kpj, _ = member(feed)
    claim_id = submitted_jht(jamsos, kpj)
    for args in (("claim", "show", claim_id), ("claim", "documents", claim_id, "--doc", "VISA")):
        hidden = jamsos("KC-MEDAN", SERVICE, *args, as_json=False)
        assert hidden.exit_code == errors.NOT_FOUND == 3 and hidden.stderr.startswith("jamsos: not found")
    assert jamsos("KC-MEDAN", SERVICE, "claim", "show", "no-such-claim").exit_code == 3


def test_bad_input_exits_2_naming_the_field_or_option(jamsos, feed):  # noqa: F811
    kpj, _ = member(feed)
    short = jamsos(BRANCH, SERVICE, "claim", "submit", "jht", kpj, "--reason", "age-55", "--holder", "Budi",
                   "--bank", "BNI", "--account", "12", as_json=False)
    assert short.exit_code == errors.BAD_INPUT == 2 and "beneficiary.account_number" in short.stderr
    fraction = jamsos(BRANCH, SERVICE, "claim", "submit", "jpk", kpj, "--care-date", "2024-05-01", "--facility",
                      "RS-MEDAN-01", "--claimed", "12.5", *ACCOUNT)
    assert fraction.exit_code == 2 and "--claimed" in fraction.stderr
    for bad in (("--reason", "retired"), ("--reason", "age-55", "--claimed-on", "2024-13-01")):
        refused = jamsos(BRANCH, SERVICE, "claim", "submit", "jht", kpj, *bad, *ACCOUNT)
        assert refused.exit_code == 2, refused.stderr
    heir = jamsos(BRANCH, SERVICE, "claim", "submit", "jk", kpj, "--death-date", "2024-05-02", "--heir", "Ani=aunt",
                  *ACCOUNT)
    assert heir.exit_code == 2 and "--heir" in heir.stderr
    moment = jamsos(BRANCH, SERVICE, "accident", "report", "c-1", "--stage", "1", "--occurred-at", "yesterday",
                    "--reported-at", "2024-03-05T08:00")
    assert moment.exit_code == 2 and "--occurred-at" in moment.stderr
