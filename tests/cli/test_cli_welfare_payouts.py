"""`jamsos payout --service welfare` against the real welfare service (tests/welfare/service's
fixtures): a scholarship payment's order approved by another officer (O-4), exported to a
pain.001 file, rejected by the bank's pain.002, re-issued, paid by the payout account's
camt.053 statement; marking paid by hand is benefits' only (exit 2)."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from cli import errors
from tests.benefits.service.payout_file_support import PAIN001, e2e, pain002, payout_statement
from tests.cli.benefits_welfare_cli import Jamsos
from tests.welfare.service.conftest import welfare  # noqa: F401 - the service of this module
from tests.welfare.service.payout_support import REPORTED, awarded_scholarship, scholarship_order
from tests.welfare.service.support import FINANCE, umk_version

BRANCH = "KC-BINJAI"


@pytest.fixture(scope="module")
def jamsos(welfare):  # noqa: F811 - the imported fixture
    welfare.feed(umk_version(BRANCH, 2_900_000))
    return Jamsos("welfare", welfare.runtime.grpc_port)


def payout(jamsos, *args: str, user: str = "fin-budi", as_json: bool = True):
    return jamsos(BRANCH, FINANCE, "payout", "--service", "welfare", *args, user=user, as_json=as_json)


@pytest.mark.rule("W-S-1", "O-4")
def test_a_scholarship_payment_order_through_export_rejection_reissue_and_statement(jamsos, welfare, tmp_path):  # noqa: F811
    order = scholarship_order(welfare, awarded_scholarship(welfare))  # created by fin-ani
    own = payout(jamsos, "approve", order.order_id, user="fin-ani", as_json=False)
    assert own.exit_code == errors.RULE_NOT_MET and own.stderr.startswith("jamsos: rule O-4 not met [SAME_PERSON]")
    assert payout(jamsos, "approve", order.order_id).json()["order"]["state"] == "APPROVED"
    out = tmp_path / "welfare.xml"
    header = payout(jamsos, "export", "--out", str(out)).json()["file"]
    root = ET.parse(out).getroot()
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=PAIN001) == header["msg_id"]
    assert (header["transactions"], header["control_sum"]) == (1, 200_000)

    report = tmp_path / "pain002.xml"
    report.write_bytes(pain002(header["msg_id"], [(e2e(order.order_id), "RJCT", "AC04", "Closed account")],
                               created=REPORTED))
    table = payout(jamsos, "import-status", str(report), as_json=False)
    assert table.exit_code == 0, table.stderr
    assert "AC04" in table.stdout and "FAILED" in table.stdout
    shown = payout(jamsos, "show", order.order_id, as_json=False)
    assert shown.exit_code == 0 and "SCHOLARSHIP" in shown.stdout and "payment 1" in shown.stdout

    new = payout(jamsos, "reissue", order.order_id, "--holder", "Budi Santoso", "--bank", "Bank Mandiri",
                 "--account", "1400012345678", user="fin-citra").json()["order"]
    assert (new["attempt"], new["reissue_of"], new["beneficiary"]["bank_name"]) == (2, order.order_id, "Bank Mandiri")
    payout(jamsos, "approve", new["order_id"])
    payout(jamsos, "export", "--out", str(tmp_path / "second.xml"))
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(payout_statement([(e2e(new["order_id"]), -200_000, "")], account="0099887766",
                                           day="2025-06-30"))
    paid = payout(jamsos, "import-statement", str(statement)).json()
    assert (paid["paid"], paid["results"][0]["outcome"]) == (1, "PAID")
    listed = payout(jamsos, "list", "--state", "paid").json()["orders"]
    assert new["order_id"] in [o["order_id"] for o in listed]

    by_hand = payout(jamsos, "paid", new["order_id"], "--reference", "X", as_json=False)
    assert by_hand.exit_code == errors.BAD_INPUT and "benefits" in by_hand.stderr
