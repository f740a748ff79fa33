"""`jamsos coop-loan`, `application`, `loan`, `fund`, `scholarship` and `pump` against the real
welfare service, its read model fed through its own consumers (tests/welfare/service's
support): a cooperative loan to its schedule and first repayment, a scholarship to its first
payment, four eyes (O-4), branch scope (O-2), a regional step by a branch (W-P-3), bad input."""
from __future__ import annotations

import pytest

from cli import errors
from tests.cli.benefits_welfare_cli import Jamsos
from tests.welfare.service.conftest import welfare  # noqa: F401 - the service of this module
from tests.welfare.service.support import ADMIN, FINANCE, HEAD, REGIONAL, SERVICE, umk_version

BRANCH = "KC-BINJAI"
COOP_DOCS = ("proposal-signed-by-chair-and-secretary,management-acknowledgement,deed-of-establishment,"
             "articles-of-association,board-list,board-id-copies,audited-balance-sheet,power-of-attorney,"
             "bank-statements-3-months")
DECLARED = ("--active", "--deed", "--registered", "--good-standing", "--audited", "--management-support",
            "--employer-cooperative")


@pytest.fixture(scope="module")
def jamsos(welfare):  # noqa: F811 - the imported fixture
    return Jamsos("welfare", welfare.runtime.grpc_port)


def proposed(jamsos, npp: str, *extra: str):
    return jamsos(BRANCH, ADMIN, "coop-loan", "propose", "--npp", npp, "--name", "Koperasi Karyawan Sawit Makmur",
                  "--founded", "2018-03-01", "--assets", "500_000_000", "--amount", "120_000_000", "--term", "48",
                  "--collateral", "132_000_000", *DECLARED, "--doc", COOP_DOCS, *extra)


@pytest.mark.rule("W-K-1", "W-K-2", "W-K-3", "O-4")
def test_a_cooperative_loan_is_checked_approved_by_another_signed_disbursed_and_repaid(jamsos, welfare):  # noqa: F811
    npp = welfare.employer()
    funded = jamsos("KP", "HEAD_OFFICE_ADMIN", "fund", "allocate", "--region", "KW-SUMBAGUT", "--amount",
                    "500_000_000", "--reference", "SK-CLI-1", "--reason", "DPKP allocation", "--booked-on", "2025-01-02")
    assert funded.exit_code == 0, funded.stderr
    before = funded.json()["balance"]
    made = proposed(jamsos, npp)
    assert made.exit_code == 0, made.stderr
    application = made.json()["application"]
    # W-K-2: 30% of Rp500,000,000 assets = Rp150,000,000 limit; 3% a year flat over 48 months:
    # 120,000,000 x 3% x 48 / 12 = 14,400,000 interest; (120,000,000 + 14,400,000) / 48 = 2,800,000 a month.
    assert (application["loan_limit"], application["interest"], application["monthly_instalment"]) == (
        150_000_000, 14_400_000, 2_800_000)
    app_id = application["application_id"]

    checked = jamsos(BRANCH, SERVICE, "application", "check", app_id, user="checker")
    assert checked.exit_code == 0 and checked.json()["eligible"] is True, checked.stdout
    own = jamsos(BRANCH, HEAD, "application", "approve", app_id, user="checker", as_json=False)
    assert own.exit_code == errors.RULE_NOT_MET == 4 and "rule O-4 not met [SAME_PERSON]" in own.stderr
    assert jamsos(BRANCH, HEAD, "application", "approve", app_id, user="head").json()["application"]["status"] == \
        "APPROVED"
    signed = jamsos(BRANCH, HEAD, "application", "sign", app_id, "--agreement", "PK-CLI-1", "--first-due",
                    "2025-07-10", user="head").json()
    loan = signed["loan"]
    assert (loan["status"], loan["principal"], loan["interest"], len(loan["instalments"])) == (
        "AGREED", 120_000_000, 14_400_000, 48)
    assert {i["amount"] for i in loan["instalments"]} == {2_800_000}
    assert (loan["instalments"][0]["due_date"], loan["instalments"][-1]["due_date"]) == ("2025-07-10", "2029-06-10")

    disbursed = jamsos(BRANCH, FINANCE, "application", "disburse", app_id, "--reference", "TRF-CLI-1").json()
    assert (disbursed["application"]["status"], disbursed["loan"]["status"]) == ("DISBURSED", "ACTIVE")
    balance = jamsos("KW-SUMBAGUT", REGIONAL, "fund", "balance", "--region", "KW-SUMBAGUT").json()
    assert balance["balance"] == before - 120_000_000

    repaid = jamsos(BRANCH, FINANCE, "loan", "repay", loan["loan_id"], "--reference", "BRI-CLI-1", "--amount",
                    "2_800_000", "--paid-on", "2025-06-30")
    assert repaid.exit_code == 0, repaid.stderr
    assert repaid.json()["allocations"] == [{"number": 1, "amount": 2_800_000}]
    # 134,400,000 owed in all, 2,800,000 paid: 131,600,000 outstanding
    shown = jamsos(BRANCH, FINANCE, "loan", "show", loan["loan_id"]).json()["loan"]
    assert (shown["paid"], shown["outstanding"]) == (2_800_000, 131_600_000)
    table = jamsos(BRANCH, FINANCE, "loan", "show", loan["loan_id"], as_json=False).stdout
    assert "Instalments" in table and "Rp2.800.000" in table and "Rp131.600.000" in table
    twice = jamsos(BRANCH, FINANCE, "loan", "repay", loan["loan_id"], "--reference", "BRI-CLI-1", "--amount",
                   "2_800_000", "--paid-on", "2025-06-30")
    assert twice.exit_code == errors.ALREADY_EXISTS
    listed = jamsos(BRANCH, ADMIN, "loan", "list", "--program", "cooperative-loan", "--limit", "500").json()["loans"]
    assert loan["loan_id"] in [x["loan_id"] for x in listed]


@pytest.mark.rule("W-S-1", "W-S-2", "O-4")
def test_a_scholarship_is_awarded_12_payments_and_the_first_is_paid(jamsos, welfare):  # noqa: F811
    welfare.feed(umk_version(BRANCH, 2_900_000))
    kpj = welfare.worker(welfare.employer())
    made = jamsos(BRANCH, ADMIN, "scholarship", "submit", kpj, "--child", "Ani", "--order", "1", "--level",
                  "senior-high", "--class", "11", "--school", "SMA Negeri 1 Binjai", "--grade", "8.01", "--doc",
                  "report-card,school-statement,family-card-copy,no-other-scholarship-statement")
    assert made.exit_code == 0, made.stderr
    application = made.json()["application"]
    assert application["child"]["report_grade_hundredths"] == 801
    app_id = application["application_id"]
    checked = jamsos(BRANCH, SERVICE, "scholarship", "check", app_id, user="checker").json()
    assert checked["eligible"] is True and checked["application"]["path"] == "ACHIEVEMENT"
    assert jamsos(BRANCH, HEAD, "scholarship", "award", app_id, user="checker").exit_code == 4
    awarded = jamsos(BRANCH, HEAD, "scholarship", "award", app_id, user="head").json()["application"]
    # senior high school: Rp200,000 a month for 12 months = Rp2,400,000, from 1 July 2025
    assert (awarded["monthly_amount"], awarded["total_amount"], len(awarded["payments"])) == (200_000, 2_400_000, 12)
    assert awarded["payments"][0]["due_on"] == "2025-07-01"
    paid = jamsos(BRANCH, FINANCE, "scholarship", "pay", app_id, "--number", "1", "--reference", "BNI-SCH-CLI",
                  "--paid-on", "2025-06-30").json()["application"]
    assert paid["payments"][0]["bank_reference"] == "BNI-SCH-CLI"
    table = jamsos(BRANCH, ADMIN, "scholarship", "show", app_id, as_json=False).stdout
    assert "Rp2.400.000" in table and "BNI-SCH-CLI" in table


@pytest.mark.rule("W-P-1", "W-P-3", "W-P-4")
def test_pump_a_branch_user_may_not_determine_and_the_region_does(jamsos, welfare):  # noqa: F811
    npp = welfare.employer()
    kpj = welfare.worker(npp)
    made = jamsos(BRANCH, ADMIN, "pump", "submit", "--npp", npp, "--developer", "PT Griya Asri", "--association",
                  "apersi", "--developer-account", "BRI 0123-01", "--project", "Griya Asri Binjai", "--worker",
                  f"{kpj}=15_000_000:36", "--doc", "form-pump-1,form-pump-2,form-pump-3,form-pump-4", "--worker-doc",
                  "kpj-copy,id-card-copy,family-card-copy")
    assert made.exit_code == 0, made.stderr
    app_id = made.json()["application"]["application_id"]
    assert jamsos(BRANCH, SERVICE, "pump", "check", app_id, user="checker").json()["eligible"] is True
    assert jamsos(BRANCH, HEAD, "pump", "approve", app_id, user="head").exit_code == 0
    assert jamsos(BRANCH, ADMIN, "pump", "bank-approval", app_id, "--kpj", kpj, "--document", "sp3k", "--number",
                  "SP3K-CLI-1", "--approved-on", "2025-06-30").exit_code == 0
    assert jamsos(BRANCH, ADMIN, "pump", "report", app_id).json()["application"]["status"] == "REPORTED_TO_REGION"
    branch_try = jamsos(BRANCH, REGIONAL, "pump", "determine", app_id, as_json=False)
    assert branch_try.exit_code == errors.DENIED == 5 and "W-P-3" in branch_try.stderr
    determined = jamsos("KW-SUMBAGUT", REGIONAL, "pump", "determine", app_id).json()["application"]
    assert (determined["status"], determined["determined_kpjs"]) == ("DETERMINED", [kpj])
    shown = jamsos(BRANCH, ADMIN, "pump", "show", app_id, as_json=False)
    assert shown.exit_code == 0 and "DETERMINED" in shown.stdout


@pytest.mark.rule("O-2")
def test_another_branchs_application_is_not_found(jamsos, welfare):  # noqa: F811
    made = proposed(jamsos, welfare.employer())
    app_id = made.json()["application"]["application_id"]
    for args in (("application", "show", app_id), ("application", "check", app_id)):
        hidden = jamsos("KC-MEDAN", SERVICE, *args, as_json=False)
        assert hidden.exit_code == errors.NOT_FOUND == 3, hidden.stderr


def test_bad_input_exits_2_naming_the_option_or_field(jamsos, welfare):  # noqa: F811
    npp = welfare.employer()
    for extra, named in ((("--amount", "12.5"), "--amount"), (("--doc", "selfie"), "--doc"),
                         (("--founded", "2018-02-30"), "--founded")):
        refused = proposed(jamsos, npp, *extra)
        assert refused.exit_code == errors.BAD_INPUT == 2 and named in refused.stderr, refused.stderr
    kpj = welfare.worker(npp)
    senior_in_class_3 = jamsos(BRANCH, ADMIN, "scholarship", "submit", kpj, "--child", "Ani", "--order", "1",
                               "--level", "senior-high", "--class", "3", "--school", "SMA 1", "--grade", "8.01",
                               as_json=False)
    assert senior_in_class_3.exit_code == 2 and "child.class_or_semester" in senior_in_class_3.stderr
    grade = jamsos(BRANCH, ADMIN, "scholarship", "submit", kpj, "--child", "Ani", "--order", "1", "--level",
                   "senior-high", "--class", "11", "--school", "SMA 1", "--grade", "8.015")
    assert grade.exit_code == 2 and "--grade" in grade.stderr
    worker = jamsos(BRANCH, ADMIN, "pump", "submit", "--npp", npp, "--developer", "PT A", "--association", "rei",
                    "--developer-account", "1", "--project", "P", "--worker", f"{kpj}=lots:36")
    assert worker.exit_code == 2 and "--worker" in worker.stderr
