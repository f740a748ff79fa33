"""Builders of PUMP applications for the service tests (W-P-1..W-P-5)."""
from __future__ import annotations

from datetime import date

from jamsos.welfare.v1 import common_pb2
from jamsos.welfare.v1 import pump_pb2 as pb
from jamsos.welfare.v1 import pump_pb2_grpc as pb_grpc
from tests.welfare.service.support import ADMIN, HEAD, REGIONAL, SERVICE, d, rid, rp


def doc(name: str) -> int:
    return common_pb2.DocumentKind.Value(f"DOCUMENT_KIND_{name}")


FORMS = [doc(f"FORM_PUMP_{n}") for n in (1, 2, 3, 4)]
WORKER_DOCS = [doc("KPJ_COPY"), doc("ID_CARD_COPY"), doc("FAMILY_CARD_COPY")]


def pump(welfare, office: str = "KC-BINJAI", *roles: str, user: str | None = None):
    return welfare.stub(pb_grpc.PumpServiceStub, office, *(roles or (ADMIN,)), user=user)


def submit(welfare, npp: str, kpjs: list[str], *, amount: int = 15_000_000, term: int = 36,
           association=pb.DEVELOPER_ASSOCIATION_APERSI, forms=None, office: str = "KC-BINJAI",
           submitted: date = date(2025, 6, 2)) -> pb.PumpApplication:
    return pump(welfare, office).SubmitPumpApplication(pb.SubmitPumpApplicationRequest(
        request_id=rid("pump"), npp=npp, applicant=pb.PUMP_APPLICANT_EMPLOYER,
        developer=pb.Developer(name="PT Griya Asri", association=association, bank_account="BRI 0123-01",
                               housing_project="Griya Asri Binjai"),
        forms=FORMS if forms is None else forms, submitted_on=d(submitted),
        workers=[pb.PumpWorkerRequest(kpj=k, loan_amount=rp(amount), term_months=term, documents=WORKER_DOCS)
                 for k in kpjs])).application


def check(welfare, application_id: str, office: str = "KC-BINJAI") -> pb.CheckPumpApplicationResponse:
    return pump(welfare, office, SERVICE, user="checker").CheckPumpApplication(
        pb.CheckPumpApplicationRequest(request_id=rid(), application_id=application_id))


def approve(welfare, application_id: str, office: str = "KC-BINJAI") -> pb.PumpApplication:
    return pump(welfare, office, HEAD, user="head").ApprovePumpInPrinciple(
        pb.ApprovePumpInPrincipleRequest(request_id=rid(), application_id=application_id)).application


def bank(welfare, application_id: str, kpj: str, document=pb.BANK_DOCUMENT_SP3K, office: str = "KC-BINJAI"
         ) -> pb.PumpApplication:
    return pump(welfare, office).RecordBankApproval(pb.RecordBankApprovalRequest(
        request_id=rid(), application_id=application_id, kpj=kpj, document=document, document_number=rid("SP3K"),
        approved_on=d(date(2025, 6, 30)))).application


def report(welfare, application_id: str, office: str = "KC-BINJAI") -> pb.PumpApplication:
    return pump(welfare, office).ReportPumpToRegion(
        pb.ReportPumpToRegionRequest(request_id=rid(), application_id=application_id)).application


def determine(welfare, application_id: str, office: str = "KW-SUMBAGUT", *roles: str) -> pb.PumpApplication:
    return pump(welfare, office, *(roles or (REGIONAL,)), user="rina").DeterminePump(
        pb.DeterminePumpRequest(request_id=rid(), application_id=application_id)).application


def sign(welfare, application_id: str, office: str = "KC-BINJAI", *roles: str) -> pb.SignPumpAgreementResponse:
    return pump(welfare, office, *(roles or (HEAD,)), user="head").SignPumpAgreement(pb.SignPumpAgreementRequest(
        request_id=rid(), application_id=application_id, first_due_date=d(date(2025, 7, 25))))


def transfer(welfare, application_id: str, office: str = "KW-SUMBAGUT", *roles: str) -> pb.TransferPumpFundsResponse:
    return pump(welfare, office, *(roles or (REGIONAL,)), user="rina").TransferPumpFunds(pb.TransferPumpFundsRequest(
        request_id=rid(), application_id=application_id, transfer_reference=rid("TRF")))


def determined(welfare, npp: str, kpjs: list[str], approved: list[str] | None = None, **kwargs) -> pb.PumpApplication:
    """Submitted, checked, approved in principle, bank-approved (all or `approved`), reported, determined."""
    application = submit(welfare, npp, kpjs, **kwargs)
    check(welfare, application.application_id)
    approve(welfare, application.application_id)
    for kpj in approved if approved is not None else kpjs:
        bank(welfare, application.application_id, kpj)
    report(welfare, application.application_id)
    return determine(welfare, application.application_id)
