"""`jamsos payout export`, `file`, `import-status`, `import-statement` and `reissue` against
the real benefits service (the fixtures of tests/benefits/service): the pain.001 file
written where asked, the bank's pain.002 report sent from a file with a summary table, a
rejected order re-issued and approved by another officer (O-4), a hostile report refused
(exit 2), the payout account's camt.053 statement paying an order."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from cli import errors
from tests.benefits.service.conftest import benefits, feed, service  # noqa: F401 - the service and its feed
from tests.benefits.service.payout_file_support import PAIN001, approved_order, e2e, pain002, payout_statement
from tests.benefits.service.support import BRANCH, FINANCE, Callers
from tests.cli.benefits_welfare_cli import Jamsos


@pytest.fixture(scope="module")
def jamsos(service):  # noqa: F811 - the imported fixture
    return Jamsos("benefits", service.grpc_port)


@pytest.fixture(scope="module")
def callers(service, feed):  # noqa: F811
    return Callers(service.channel)


@pytest.mark.rule("O-4")
def test_export_then_the_banks_report_pays_one_order_and_fails_the_other(jamsos, callers, feed, tmp_path):  # noqa: F811
    paid, rejected = approved_order(feed, callers, 2_500_000), approved_order(feed, callers, 1_750_000)
    out = tmp_path / "payout.xml"
    exported = jamsos(BRANCH, FINANCE, "payout", "export", "--out", str(out), "--request-id", "cli-export-1")
    assert exported.exit_code == 0, exported.stderr
    header = exported.json()["file"]
    assert (header["transactions"], header["control_sum"]) == (2, 4_250_000)  # 2,500,000 + 1,750,000
    root = ET.parse(out).getroot()
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=PAIN001) == header["msg_id"]
    again = tmp_path / "again.xml"
    shown = jamsos(BRANCH, FINANCE, "payout", "file", header["msg_id"], "--out", str(again), as_json=False)
    assert shown.exit_code == 0 and "Rp4.250.000" in shown.stdout and again.read_bytes() == out.read_bytes()

    report = tmp_path / "pain002.xml"
    report.write_bytes(pain002(header["msg_id"], [(e2e(paid.order_id), "ACSC", "", ""),
                                                  (e2e(rejected.order_id), "RJCT", "AC01", "Incorrect account")]))
    table = jamsos(BRANCH, FINANCE, "payout", "import-status", str(report), as_json=False)
    assert table.exit_code == 0, table.stderr
    assert "Transactions" in table.stdout and "AC01" in table.stdout and "FAILED" in table.stdout
    size = report.stat().st_size  # the progress bar (stderr) counts the file's bytes sent
    assert "sending pain002.xml" in table.stderr and f"{size}/{size}" in table.stderr
    answer = jamsos(BRANCH, FINANCE, "payout", "import-status", str(report)).json()  # the same again
    assert answer["already_imported"] and answer["unchanged"] == 2

    failed = jamsos(BRANCH, FINANCE, "payout", "show", rejected.order_id).json()["order"]
    assert (failed["state"], failed["failure_code"]) == ("FAILED", "AC01")
    new = jamsos(BRANCH, FINANCE, "payout", "reissue", rejected.order_id, "--holder", "Budi Santoso", "--bank",
                 "Bank Mandiri", "--account", "1400012345678", user="fin-ani").json()["order"]
    assert (new["state"], new["attempt"], new["reissue_of"]) == ("PENDING_APPROVAL", 2, rejected.order_id)
    own = jamsos(BRANCH, FINANCE, "payout", "approve", new["order_id"], user="fin-ani", as_json=False)
    assert own.exit_code == errors.RULE_NOT_MET and own.stderr.startswith("jamsos: rule O-4 not met [SAME_PERSON]")
    assert jamsos(BRANCH, FINANCE, "payout", "approve", new["order_id"],
                  user="fin-budi").json()["order"]["state"] == "APPROVED"
    listed = jamsos(BRANCH, FINANCE, "payout", "list", "--state", "failed").json()["orders"]
    assert rejected.order_id in [o["order_id"] for o in listed]


def test_a_hostile_report_exits_2_naming_the_file(jamsos, tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                     b"<Document>&b;</Document>")
    refused = jamsos(BRANCH, FINANCE, "payout", "import-status", str(bomb), as_json=False)
    assert refused.exit_code == errors.BAD_INPUT and "file" in refused.stderr


def test_the_payout_accounts_statement_pays_an_order_and_the_same_file_again_changes_nothing(
        jamsos, callers, feed, tmp_path):  # noqa: F811
    order = approved_order(feed, callers, 1_234_000)
    assert jamsos(BRANCH, FINANCE, "payout", "export", "--out", str(tmp_path / "p.xml")).exit_code == 0
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(payout_statement([(e2e(order.order_id), -1_234_000, "")], statement="STMT-CLI-1"))
    table = jamsos(BRANCH, FINANCE, "payout", "import-statement", str(statement), as_json=False)
    assert table.exit_code == 0, table.stderr
    assert "Statement STMT-CLI-1" in table.stdout and "PAID" in table.stdout
    assert "sending camt053.xml" in table.stderr
    again = jamsos(BRANCH, FINANCE, "payout", "import-statement", str(statement)).json()
    assert again["already_imported"] and again["unchanged"] == 1
    assert jamsos(BRANCH, FINANCE, "payout", "show", order.order_id).json()["order"]["state"] == "PAID"
    dollars = tmp_path / "usd.xml"
    dollars.write_bytes(payout_statement([(e2e(order.order_id), -1_234_000, "")], currency="USD"))
    refused = jamsos(BRANCH, FINANCE, "payout", "import-statement", str(dollars), as_json=False)
    assert refused.exit_code == errors.BAD_INPUT and "USD" in refused.stderr
