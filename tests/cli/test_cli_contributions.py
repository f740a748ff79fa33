"""`jamsos` against the real contributions service fed by membership's events: a billing run
followed to the end, bills and SPI files, payments on time and late (C-6), a bank
statement, standing and arrears (C-8), reconciliation with four eyes (C-7, O-4)."""
from __future__ import annotations

import csv
import itertools

import grpc
import pytest

from jamsos.contributions.v1 import penalties_pb2, penalties_pb2_grpc

from cli import errors
from tests.cli.conftest import enrol_worker, register_employer
from tests.service_harness import Caller, token_for

ADMIN, FINANCE, HEAD = "ADMINISTRATION_OFFICER", "FINANCE_OFFICER", "branch_HEAD"
_branches = itertools.count(1)


@pytest.fixture
def branch(platform) -> str:
    """A branch of the test's own (so no other test's employer is billed with its runs), made with `jamsos office`."""
    code = f"KC-CLI{next(_branches)}"
    made = platform.jamsos("KP", "HEAD_OFFICE_ADMIN", "office", "upsert", code, "--name", f"Kantor Cabang {code}",
                           "--level", "branch", "--parent", "KW-SUMBAGUT", "--class", "2")
    assert made.exit_code == 0, made.stderr
    assert made.json()["office"] == {"code": code, "name": f"Kantor Cabang {code}", "level": "BRANCH",
                                     "parent_code": "KW-SUMBAGUT", "branch_class": 2}
    return code


def billed_employer(platform, branch: str, period: str, wage: int = 4_000_000) -> tuple[str, str, str]:
    """A risk-group-I employer of `branch` with one single worker, billed for `period`: (npp, kpj, bill)."""
    npp = register_employer(platform, branch=branch, risk_group=1)
    kpj = enrol_worker(platform, npp, wage, branch=branch)
    platform.sync()
    run = platform.jamsos(branch, ADMIN, "billing", "run", "--period", period, "--branch", branch, "--poll", "0.05")
    assert run.exit_code == 0, run.stderr
    bills = platform.jamsos(branch, ADMIN, "bill", "list", "--npp", npp, "--period", period).json()["bills"]
    return npp, kpj, bills[0]["bill_number"]


@pytest.mark.rule("C-1", "C-2", "C-3", "C-4", "C-5")
def test_c5_a_billing_run_is_followed_to_the_end_and_the_bill_has_hand_computed_lines(platform, branch, tmp_path):
    npp = register_employer(platform, branch=branch, risk_group=1)
    kpj = enrol_worker(platform, npp, 4_000_000, branch=branch)
    platform.sync()
    run = platform.jamsos(branch, ADMIN, "billing", "run", "--period", "2024-03", "--branch", branch, "--poll", "0.05")
    assert run.exit_code == 0, run.stderr
    shown = run.json()["run"]
    assert shown["status"] == "COMPLETED" and shown["period"] == "2024-03" and shown["bills_issued"] >= 1
    assert shown["employers_done"] == shown["employers_total"]

    bills = platform.jamsos(branch, ADMIN, "bill", "list", "--npp", npp).json()["bills"]
    assert [b["period"] for b in bills] == ["2024-03"]
    bill = platform.jamsos(branch, ADMIN, "bill", "show", bills[0]["bill_number"]).json()["bill"]
    # Wage Rp4,000,000, single, risk group I: JHT 3.7% 148,000 + 2% 80,000; JKK 0.24% 9,600; JK 0.3% 12,000;
    # JPK 3% of the Rp1,000,000 cap 30,000. Total 279,600, worker share 80,000.
    amounts = {(line["program"], line["payer"]): line["amount"] for line in bill["lines"] if line["kpj"] == kpj}
    assert amounts == {("JHT", "EMPLOYER"): 148_000, ("JHT", "WORKER"): 80_000, ("JKK", "EMPLOYER"): 9_600,
                       ("JK", "EMPLOYER"): 12_000, ("JPK", "EMPLOYER"): 30_000}
    assert bill["total"] == 279_600 and bill["worker_share"] == 80_000 and bill["due_date"] == "2024-04-15"

    spi = tmp_path / "spi.txt"
    written = platform.jamsos(branch, ADMIN, "bill", "spi", bill["bill_number"], "--out", str(spi), "--format", "text")
    assert written.exit_code == 0 and npp in spi.read_text() and written.json()["bytes"] == spi.stat().st_size
    table = platform.jamsos(branch, ADMIN, "billing", "status", shown["run_id"], as_json=False)
    assert table.exit_code == 0 and "COMPLETED" in table.stdout and branch in table.stdout


@pytest.mark.rule("C-6")
def test_c6_a_payment_on_time_settles_the_bill_and_a_late_one_carries_two_percent_per_started_month(platform, branch):
    _npp, _kpj, on_time_bill = billed_employer(platform, branch, "2024-04")
    paid = platform.jamsos(branch, FINANCE, "payment", "record", "--reference", f"BNI-{on_time_bill}", "--amount",
                           "279600", "--paid-on", "2024-05-10", "--bill", on_time_bill, "--npp", _npp)
    assert paid.exit_code == 0, paid.stderr
    answer = paid.json()
    assert answer["payment"]["status"] == "MATCHED" and answer["penalties"] == []
    assert [(b["bill_number"], b["status"], b["outstanding"]) for b in answer["bills"]] == [(on_time_bill, "PAID", 0)]

    npp, _kpj, late_bill = billed_employer(platform, branch, "2024-03")
    late = platform.jamsos(branch, FINANCE, "payment", "record", "--reference", f"BRI-{late_bill}", "--amount",
                           "279600", "--paid-on", "2024-06-03", "--npp", npp, as_json=False)
    assert late.exit_code == 0, late.stderr
    assert "Late-payment penalties (C-6)" in late.stdout
    penalty = platform.jamsos(branch, FINANCE, "payment", "record", "--reference", f"BRI-{late_bill}", "--amount",
                              "279600", "--paid-on", "2024-06-03", "--npp", npp, "--request-id", "late-1")
    assert penalty.exit_code == errors.ALREADY_EXISTS == 6  # the same bank reference under another request id
    bills = platform.jamsos(branch, FINANCE, "bill", "list", "--npp", npp).json()["bills"]
    assert {b["bill_number"]: b["status"] for b in bills}[late_bill] == "PAID"
    # Due 2024-04-15, paid 2024-06-03: two started months late; 2% x 2 x Rp279,600 = Rp11,184.
    with grpc.insecure_channel(platform.address(platform.contributions)) as channel:
        stub = Caller(channel, token_for(branch, FINANCE))(penalties_pb2_grpc.PenaltyServiceStub)
        found = stub.ListPenalties(penalties_pb2.ListPenaltiesRequest(npp=npp)).penalties
    assert [(p.bill_number, p.months_late, p.amount.rupiah) for p in found] == [(late_bill, 2, 11_184)]


def test_a_retried_request_id_records_one_payment(platform, branch):
    npp, _kpj, bill = billed_employer(platform, branch, "2024-02")
    args = ("payment", "record", "--reference", f"MDR-{bill}", "--amount", "100000", "--paid-on", "2024-03-01",
            "--npp", npp, "--request-id", f"retry-{bill}")
    first, second = platform.jamsos(branch, FINANCE, *args), platform.jamsos(branch, FINANCE, *args)
    assert first.exit_code == second.exit_code == 0
    assert first.json()["payment"]["payment_id"] == second.json()["payment"]["payment_id"]
    listed = platform.jamsos(branch, FINANCE, "payment", "list", "--npp", npp).json()["payments"]
    assert len(listed) == 1 and listed[0]["amount"] == 100_000


@pytest.mark.rule("C-7")
def test_c7_a_bank_statement_is_imported_with_a_summary_and_one_result_per_line(platform, branch, tmp_path):
    npp, _kpj, bill = billed_employer(platform, branch, "2024-01")
    source = tmp_path / "statement.csv"
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["bank_reference", "amount", "paid_on", "npp", "bill_number"])
        writer.writerow([f"ST-{bill}", "279600", "2024-02-12", npp, bill])
        writer.writerow([f"ST-{bill}", "279600", "2024-02-12", npp, bill])  # the same line twice
        writer.writerow([f"ST2-{bill}", "12.5", "2024-02-12", npp, ""])  # not whole rupiah
        writer.writerow([f"ST3-{bill}", "50000", "2024-02-13", "", ""])  # no employer: suspense
    results = tmp_path / "statement-results.csv"
    imported = platform.jamsos(branch, FINANCE, "payment", "import", str(source), "--branch", branch, "--chunk", "2",
                               "--results", str(results))
    assert imported.exit_code == 2, imported.stderr  # a line was rejected
    answer = imported.json()
    assert (answer["recorded"], answer["duplicates"], answer["rejected"]) == (2, 1, 1)
    outcomes = [(r["line_number"], r["outcome"], r["status"]) for r in answer["results"]]
    assert outcomes == [(1, "RECORDED", "MATCHED"), (2, "DUPLICATE", ""), (3, "REJECTED", ""), (4, "RECORDED", "SUSPENSE")] \
        or outcomes[:2] == [(1, "RECORDED", "MATCHED"), (2, "DUPLICATE", "MATCHED")]
    with open(results, newline="") as handle:
        assert [row["outcome"] for row in csv.DictReader(handle)] == ["RECORDED", "DUPLICATE", "REJECTED", "RECORDED"]
    assert platform.jamsos(branch, FINANCE, "bill", "show", bill).json()["bill"]["status"] == "PAID"
    table = platform.jamsos(branch, FINANCE, "payment", "import", str(source), "--branch", branch, "--results",
                            str(results), as_json=False)
    assert "recorded" in table.stdout and "Lines not recorded" in table.stdout


@pytest.mark.rule("C-8")
def test_c8_an_unpaid_bill_is_arrears_by_age_and_the_branch_lists_the_employer(platform, branch):
    npp, _kpj, bill = billed_employer(platform, branch, "2024-04")
    # Due 2024-05-15, unpaid on 2024-06-28: 44 days past due, Rp279,600 in the 31-60 days bucket.
    standing = platform.jamsos(branch, FINANCE, "standing", "show", npp).json()["standing"]
    assert standing["in_arrears"] is True and standing["good_standing"] is False and standing["arrears"] == 279_600
    assert [(b["bucket"], b["amount"]) for b in standing["buckets"] if b["amount"]] == [("DAYS_31_60", 279_600)]
    assert [(b["bill_number"], b["days_past_due"]) for b in standing["overdue_bills"]] == [(bill, 44)]
    arrears = platform.jamsos(branch, FINANCE, "standing", "arrears", "--branch", branch).json()["employers"]
    assert npp in {s["npp"] for s in arrears}
    other = platform.jamsos("KC-MEDAN", FINANCE, "standing", "show", npp, as_json=False)
    assert other.exit_code == 3 and other.stderr.startswith("jamsos: not found:")


@pytest.mark.rule("C-7", "O-4", "C-9")
def test_c7_o4_a_worksheet_is_validated_by_another_officer_and_posted_to_jht(platform, branch):
    npp, kpj, bill = billed_employer(platform, branch, "2024-05")
    paid = platform.jamsos(branch, FINANCE, "payment", "record", "--reference", f"REK-{bill}", "--amount", "279600",
                           "--paid-on", "2024-06-10", "--npp", npp, "--bill", bill)
    assert paid.exit_code == 0, paid.stderr
    prepared = platform.jamsos(branch, ADMIN, "reconcile", "prepare", "--npp", npp, "--period", "2024-05",
                               "--reported", "279600", user="adm-ani")
    assert prepared.exit_code == 0, prepared.stderr
    worksheet = prepared.json()["worksheet"]
    assert (worksheet["billed"], worksheet["received"], worksheet["state"]) == (279_600, 279_600, "DRAFT")

    own = platform.jamsos(branch, ADMIN, "reconcile", "validate", worksheet["worksheet_id"], user="adm-ani",
                          as_json=False)
    assert own.exit_code == errors.RULE_NOT_MET == 4
    assert own.stderr.startswith("jamsos: rule O-4 not met [SAME_PERSON]:")
    validated = platform.jamsos(branch, HEAD, "reconcile", "validate", worksheet["worksheet_id"], user="head-budi")
    assert validated.exit_code == 0 and validated.json()["worksheet"]["state"] == "VALIDATED"
    posted = platform.jamsos(branch, HEAD, "reconcile", "post", worksheet["worksheet_id"], user="head-budi")
    assert posted.exit_code == 0, posted.stderr
    # C-1: JHT is 3.7% + 2% of Rp4,000,000 = 148,000 + 80,000 = Rp228,000 credited to the member.
    assert [(p["kpj"], p["amount"]) for p in posted.json()["postings"]] == [(kpj, 228_000)]
    balance = platform.jamsos(branch, FINANCE, "standing", "jht", kpj).json()
    assert balance["balance"] == 228_000


@pytest.mark.rule("C-7")
def test_c7_a_worksheet_without_an_spi_is_a_rule_not_met_with_exit_4_naming_it(platform, branch):
    npp = register_employer(platform, branch=branch)
    platform.sync()
    result = platform.jamsos(branch, ADMIN, "reconcile", "prepare", "--npp", npp, "--period", "2023-01",
                             "--reported", "0", as_json=False)
    assert result.exit_code == 4 and result.stderr.startswith("jamsos: rule C-7 not met: no contribution notice")
    as_json = platform.jamsos(branch, ADMIN, "reconcile", "prepare", "--npp", npp, "--period", "2023-01",
                              "--reported", "0")
    assert '"rule_id": "C-7"' in as_json.stderr and as_json.exit_code == 4


@pytest.mark.rule("C-6a", "C-6")
def test_c6a_the_head_office_sets_a_umk_and_a_holiday_and_a_branch_may_not(platform):
    head = ("KP", "HEAD_OFFICE_ADMIN")
    set_umk = platform.jamsos(*head, "rules", "umk", "set", "--branch", "KC-BINJAI", "--from", "2031-01-01",
                              "--monthly-wage", "3500000", "--reason", "SK Gubernur 2030")
    assert set_umk.exit_code == 0, set_umk.stderr
    listed = platform.jamsos(*head, "rules", "umk", "list", "--branch", "KC-BINJAI").json()["rates"]
    assert {"branch_code": "KC-BINJAI", "effective_from": "2031-01-01", "monthly_wage": 3_500_000} in listed
    refused = platform.jamsos("KC-BINJAI", ADMIN, "rules", "umk", "set", "--branch", "KC-BINJAI", "--from", "2031-02-01",
                              "--monthly-wage", "3600000", "--reason", "not mine")
    assert refused.exit_code == errors.DENIED
    added = platform.jamsos(*head, "rules", "holiday", "add", "--day", "2031-03-17", "--name", "Nyepi", "--reason", "SKB")
    assert added.exit_code == 0, added.stderr
    removed = platform.jamsos(*head, "rules", "holiday", "remove", "--day", "2031-03-17", "--reason", "moved")
    assert removed.exit_code == 0, removed.stderr
    blank = platform.jamsos(*head, "rules", "umk", "set", "--branch", "KC-BINJAI", "--from", "2031-04-01",
                            "--monthly-wage", "3500000", "--reason", " ")
    assert blank.exit_code == errors.BAD_INPUT and "reason" in blank.stderr
