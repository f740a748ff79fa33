"""Welfare's payment orders under test: orders made by a real scholarship award, a signed
cooperative loan or a signed PUMP; the export read back; the bank's pain.002 reports
built by hand with the same builder as benefits' tests (as a bank would write them)."""
from __future__ import annotations

from datetime import date

from jamsos.welfare.v1 import payouts_pb2 as ppb
from jamsos.welfare.v1 import payouts_pb2_grpc as ppb_grpc
from tests.benefits.service.payout_file_support import PAIN001, e2e, pain002  # noqa: F401 - re-exported
from tests.welfare.service import coop_support, pump_support
from tests.welfare.service.support import FINANCE, REGIONAL, d, rid
from tests.welfare.service.test_welfare_scholarships import award, check, submit

REPORTED = "2025-06-30T10:15:00+07:00"  # the service's today (support.TODAY)
ACCOUNT = ppb.PayeeAccount(holder_name="Koperasi Karyawan Sejahtera", bank_name="Bank Rakyat Indonesia",
                           account_number="0345-01-000123-30-5")


def payouts(welfare, office: str = "KC-BINJAI", *roles: str, user: str | None = "fin-ani"):
    return welfare.stub(ppb_grpc.WelfarePayoutServiceStub, office, *(roles or (FINANCE,)), user=user)


def awarded_scholarship(welfare) -> str:
    """An eligible child's scholarship awarded: 12 payments of Rp200,000 (senior high)."""
    kpj = welfare.worker(welfare.employer())
    application = submit(welfare, kpj)
    check(welfare, application.application_id)
    award(welfare, application.application_id)
    return application.application_id


def scholarship_order(welfare, application_id: str, number: int = 1, user: str = "fin-ani") -> ppb.PaymentOrder:
    return payouts(welfare, user=user).OrderScholarshipPayment(ppb.OrderScholarshipPaymentRequest(
        request_id=rid("order"), application_id=application_id, number=number,
        beneficiary=ppb.PayeeAccount(holder_name="Budi Santoso", bank_name="Bank Negara Indonesia",
                                     account_number="0123456789"))).order


def loan_order(welfare, user: str = "fin-ani") -> ppb.OrderLoanDisbursementResponse:
    """A cooperative loan (Rp120,000,000) agreed and disbursed through an order (W-K-3)."""
    application, _ = coop_support.agreed_loan(welfare, welfare.employer())
    return payouts(welfare, user=user).OrderLoanDisbursement(ppb.OrderLoanDisbursementRequest(
        request_id=rid("order"), application_id=application.application_id, beneficiary=ACCOUNT))


def pump_order(welfare) -> ppb.OrderPumpTransferResponse:
    """A PUMP of one worker (Rp15,000,000) transferred by the region through an order (W-P-4)."""
    npp = welfare.employer()
    application = pump_support.determined(welfare, npp, [welfare.worker(npp)])
    pump_support.sign(welfare, application.application_id)
    return payouts(welfare, "KW-SUMBAGUT", REGIONAL, user="rina").OrderPumpTransfer(ppb.OrderPumpTransferRequest(
        request_id=rid("order"), application_id=application.application_id, transferred_on=d(date(2025, 6, 30)),
        beneficiary=ppb.PayeeAccount(holder_name="PT Griya Developer", bank_name="Bank Tabungan Negara",
                                     account_number="00012345678")))


def approve(welfare, order_id: str, user: str = "fin-budi") -> ppb.PaymentOrder:
    return payouts(welfare, user=user).ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(
        request_id=rid("approve"), order_id=order_id)).order


def export(welfare, *, order_ids: tuple[str, ...] = (), request_id: str | None = None, office: str = "KC-BINJAI"
           ) -> tuple[ppb.PayoutFile, bytes]:
    parts = list(payouts(welfare, office).ExportPayoutFile(ppb.ExportPayoutFileRequest(
        request_id=request_id or rid("export"), order_ids=list(order_ids))))
    assert parts[0].WhichOneof("part") == "file" and all(p.WhichOneof("part") == "chunk" for p in parts[1:])
    return parts[0].file, b"".join(p.chunk for p in parts[1:])


def import_status(welfare, data: bytes, *, request_id: str | None = None, office: str = "KC-BINJAI",
                  chunk: int = 700) -> ppb.ImportPayoutStatusResponse:
    def messages():
        for start in range(0, len(data), chunk):
            message = ppb.ImportPayoutStatusRequest(chunk=data[start:start + chunk])
            if start == 0:
                message.request_id = request_id or rid("status")
            yield message
    return payouts(welfare, office).ImportPayoutStatus(messages())


def get_order(welfare, order_id: str) -> ppb.PaymentOrder:
    return payouts(welfare).GetPaymentOrder(ppb.GetPaymentOrderRequest(order_id=order_id)).order


def outcomes(response: ppb.ImportPayoutStatusResponse) -> list[tuple[str, str]]:
    return [(r.end_to_end_id, ppb.PayoutStatusOutcome.Name(r.outcome).removeprefix("PAYOUT_STATUS_OUTCOME_"))
            for r in response.results]
