"""Another branch's or region's member does not exist for a caller (O-2), as far as any
answer tells.

A KC-BINJAI employer and worker (membership through its API; the same NPP and KPJ in
contributions' read model, with a bill) are read and changed, by id, as KC-MEDAN (another
branch of the region), KC-JAKSEL (another region) and a regional officer of KW-DKI. The
answer must be NOT_FOUND and the same, code, message and rich details, as for an id that
was never issued (the ids themselves replaced by a placeholder before comparing); a
change changes nothing. The own branch reading the same ids gets the record (so the
refusals are not vacuous).
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from google.protobuf import text_format
from grpc_status import rpc_status

from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, ledger_pb2, ledger_pb2_grpc, payments_pb2
from jamsos.contributions.v1 import payments_pb2_grpc, penalties_pb2, penalties_pb2_grpc
from jamsos.contributions.v1 import reconciliation_pb2, reconciliation_pb2_grpc, standing_pb2, standing_pb2_grpc
from jamsos.membership.v1 import cards_pb2, cards_pb2_grpc, employers_pb2, employers_pb2_grpc, workers_pb2
from jamsos.membership.v1 import workers_pb2_grpc
from services.membership.domain.numbers import make_kpj, make_npp
from tests.membership.service.workers_fixtures import d, enrol_request, money, new_nik, request_id
from tests.reliability.seed_data import ADMIN, BILL_PERIOD, Member, contributions_member, membership_member
from tests.service_harness import Caller, token_for

# Valid numbers (check digits and all) that no fresh database ever issues.
NEVER_ISSUED = Member("KC-BINJAI", make_npp(9_876_543), make_kpj(9_876_543_210), new_nik(),
                      bill_number=f"SPI-{BILL_PERIOD.year:04d}{BILL_PERIOD.month:02d}-{make_npp(9_876_543)}")

READERS = {
    "other-branch-KC-MEDAN": ("KC-MEDAN", ADMIN),
    "other-region-KC-JAKSEL": ("KC-JAKSEL", ADMIN),
    "other-region-office-KW-DKI": ("KW-DKI", "REGIONAL_OFFICER"),
}
CHANGERS = {"other-branch-KC-MEDAN": ("KC-MEDAN", ADMIN), "other-region-KC-JAKSEL": ("KC-JAKSEL", ADMIN)}
CONTRIBUTION_CHANGERS = {
    "other-branch-KC-MEDAN": ("KC-MEDAN", ADMIN, "FINANCE_OFFICER"),
    "other-region-KC-JAKSEL": ("KC-JAKSEL", ADMIN, "FINANCE_OFFICER"),
}
OWN_BRANCH = {"membership": ("KC-BINJAI", ADMIN), "contributions": ("KC-BINJAI", ADMIN, "FINANCE_OFFICER")}

EMPLOYERS, WORKERS, CARDS = employers_pb2_grpc.EmployerServiceStub, workers_pb2_grpc.WorkerServiceStub, cards_pb2_grpc.CardServiceStub
BILLING, LEDGER, STANDING = billing_pb2_grpc.BillingServiceStub, ledger_pb2_grpc.JhtLedgerServiceStub, standing_pb2_grpc.StandingServiceStub
PAYMENTS, PENALTIES = payments_pb2_grpc.PaymentServiceStub, penalties_pb2_grpc.PenaltyServiceStub
RECONCILIATION = reconciliation_pb2_grpc.ReconciliationServiceStub

# name -> (service, stub, method, request for (a member, the caller's office)). Reads by id.
READS = {
    "GetEmployer": ("membership", EMPLOYERS, "GetEmployer", lambda m, _office: employers_pb2.GetEmployerRequest(npp=m.npp)),
    "ListWorkers-of-employer": ("membership", WORKERS, "ListWorkers", lambda m, _office: workers_pb2.ListWorkersRequest(npp=m.npp)),
    "GetWorker": ("membership", WORKERS, "GetWorker", lambda m, _office: workers_pb2.GetWorkerRequest(kpj=m.kpj)),
    "FindKpj": ("membership", WORKERS, "FindKpj", lambda m, _office: workers_pb2.FindKpjRequest(nik=m.nik, birth_date=d(m.birth_date))),
    "GetFamily": ("membership", WORKERS, "GetFamily", lambda m, _office: workers_pb2.GetFamilyRequest(kpj=m.kpj)),
    "GetEmploymentHistory": ("membership", WORKERS, "GetEmploymentHistory",
                             lambda m, _office: workers_pb2.GetEmploymentHistoryRequest(kpj=m.kpj)),
    "DownloadCard": ("membership", CARDS, "DownloadCard",
                     lambda m, _office: cards_pb2.DownloadCardRequest(kpj=m.kpj, card_type=cards_pb2.CARD_TYPE_KPJ)),
    "GetBill": ("contributions", BILLING, "GetBill", lambda m, _office: billing_pb2.GetBillRequest(bill_number=m.bill_number)),
    "RenderSpi": ("contributions", BILLING, "RenderSpi", lambda m, _office: billing_pb2.RenderSpiRequest(bill_number=m.bill_number)),
    "ListBills-of-employer": ("contributions", BILLING, "ListBills", lambda m, _office: billing_pb2.ListBillsRequest(npp=m.npp)),
    "ListPayments-of-employer": ("contributions", PAYMENTS, "ListPayments", lambda m, _office: payments_pb2.ListPaymentsRequest(npp=m.npp)),
    "ListPenalties-of-employer": ("contributions", PENALTIES, "ListPenalties",
                                  lambda m, _office: penalties_pb2.ListPenaltiesRequest(npp=m.npp)),
    "GetStanding": ("contributions", STANDING, "GetStanding", lambda m, _office: standing_pb2.GetStandingRequest(npp=m.npp)),
    "GetJhtBalance": ("contributions", LEDGER, "GetJhtBalance", lambda m, _office: ledger_pb2.GetJhtBalanceRequest(kpj=m.kpj)),
    "GetJhtStatement": ("contributions", LEDGER, "GetJhtStatement",
                        lambda m, _office: ledger_pb2.GetJhtStatementRequest(kpj=m.kpj, year=BILL_PERIOD.year)),
}
# A list by an employer's id may answer an unknown id with an empty page; the other
# branch's employer must then get the same empty page.
LISTS = {"ListWorkers-of-employer", "ListBills-of-employer", "ListPayments-of-employer", "ListPenalties-of-employer"}

# name -> (service, stub, method, request for (a member, the caller's office)). Valid changes
# but for the caller's branch; a branch_code in the request is the caller's own.
CHANGES = {
    "ChangeEmployerAddress": ("membership", EMPLOYERS, "ChangeEmployerAddress", lambda m, _office: employers_pb2.ChangeEmployerAddressRequest(
        request_id=request_id(), npp=m.npp, address="Jl. Gatot Subroto 1", effective_date=d(date(2024, 3, 1)))),
    "ChangeRiskGroup": ("membership", EMPLOYERS, "ChangeRiskGroup", lambda m, _office: employers_pb2.ChangeRiskGroupRequest(
        request_id=request_id(), npp=m.npp, risk_group=5, effective_date=d(date(2024, 3, 1)))),
    "EnrolWorker-at-employer": ("membership", WORKERS, "EnrolWorker", lambda m, _office: enrol_request(m.npp)),
    "ChangeWage": ("membership", WORKERS, "ChangeWage", lambda m, _office: workers_pb2.ChangeWageRequest(
        request_id=request_id(), kpj=m.kpj, monthly_wage=money(4_000_000), effective_date=d(date(2024, 1, 1)))),
    "ChangeMaritalStatus": ("membership", WORKERS, "ChangeMaritalStatus", lambda m, _office: workers_pb2.ChangeMaritalStatusRequest(
        request_id=request_id(), kpj=m.kpj, marital_status=workers_pb2.MARITAL_STATUS_DIVORCED, effective_date=d(date(2024, 1, 1)))),
    "ChangeFamily": ("membership", WORKERS, "ChangeFamily", lambda m, _office: workers_pb2.ChangeFamilyRequest(
        request_id=request_id(), kpj=m.kpj)),
    "TerminateWorker": ("membership", WORKERS, "TerminateWorker", lambda m, _office: workers_pb2.TerminateWorkerRequest(
        request_id=request_id(), kpj=m.kpj, termination_date=d(date(2024, 1, 31)),
        reason=workers_pb2.TERMINATION_REASON_RESIGNED)),
    "RecordDeath": ("membership", WORKERS, "RecordDeath", lambda m, _office: workers_pb2.RecordDeathRequest(
        request_id=request_id(), kpj=m.kpj, death_date=d(date(2024, 1, 31)))),
    "IssueCard": ("membership", CARDS, "IssueCard", lambda m, _office: cards_pb2.IssueCardRequest(
        request_id=request_id(), kpj=m.kpj, card_type=cards_pb2.CARD_TYPE_KPK)),
    "RecordPayment-for-bill": ("contributions", PAYMENTS, "RecordPayment", lambda m, _office: payments_pb2.RecordPaymentRequest(
        request_id=request_id(), bank_reference=request_id("bank"), amount=money(1_000_000), paid_on=d(date(2024, 2, 10)),
        npp=m.npp, bill_number=m.bill_number)),
    "PrepareWorksheet": ("contributions", RECONCILIATION, "PrepareWorksheet", lambda m, _office: reconciliation_pb2.PrepareWorksheetRequest(
        request_id=request_id(), npp=m.npp, period={"year": BILL_PERIOD.year, "month": BILL_PERIOD.month},
        reported_amount=money(1_000_000))),
    "RecomputeStanding-of-employer": ("contributions", STANDING, "RecomputeStanding",
                                      lambda m, office: standing_pb2.RecomputeStandingRequest(
                                          request_id=request_id(), branch_code=office, npp=m.npp)),
}

# A payment naming an unknown employer is not refused as NOT_FOUND: it is kept in a
# branch's suspense, so the request must name that branch (INVALID_ARGUMENT without it).
# The other branch's employer must get that same answer.
UNKNOWN_IS_NO_NOT_FOUND = {"RecordPayment-for-bill"}


@pytest.fixture(scope="module")
def member(platform) -> Member:
    made = membership_member(platform["membership"])
    billed = contributions_member(platform["contributions"], made.npp, made.kpj)
    return Member(made.branch, made.npp, made.kpj, made.nik, made.birth_date, billed.bill_number)


def _stub(platform, service, stub_cls, who):
    return Caller(platform[service].channel, token_for(*who))(stub_cls)


def _attempt(platform, spec, who, target):
    service, stub_cls, method, build = spec
    try:
        return getattr(_stub(platform, service, stub_cls, who), method)(build(target, who[0])), None
    except grpc.RpcError as error:
        return None, error


def _normalised(text: str, target: Member) -> str:
    for field in ("bill_number", "kpj", "npp", "nik"):  # bill numbers contain the NPP: first
        value = getattr(target, field)
        if value:
            text = text.replace(value, f"<{field}>")
    return text


def answer(platform, spec, who, target: Member) -> tuple:
    """(code, message, details, response) with the target's ids replaced by placeholders."""
    response, error = _attempt(platform, spec, who, target)
    if error is None:
        shown = text_format.MessageToString(response, as_one_line=True)
        return ("OK", "", (), _normalised(shown, target))
    status = rpc_status.from_call(error)
    details = tuple(_normalised(f"{a.type_url} {a.value!r}", target) for a in status.details) if status else ()
    return (error.code().name, _normalised(error.details() or "", target), details, None)


def _ids(table):
    return [pytest.param(name, id=name) for name in table]


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("read", _ids(READS))
def test_another_branchs_member_reads_as_never_issued(platform, member, read, reader):
    who = READERS[reader]
    seen = answer(platform, READS[read], who, member)
    never = answer(platform, READS[read], who, NEVER_ISSUED)
    if read not in LISTS or never[0] != "OK":
        assert seen[0] == "NOT_FOUND", seen
    assert seen == never, f"the answer tells that the other branch's record exists:\n  {seen}\nvs never issued:\n  {never}"


@pytest.mark.parametrize("read", _ids(READS))
def test_the_own_branch_reads_its_member(platform, member, read):
    service = READS[read][0]
    response, error = _attempt(platform, READS[read], OWN_BRANCH[service], member)
    assert error is None, (error.code(), error.details())


@pytest.mark.parametrize("changer", list(CHANGERS))
@pytest.mark.parametrize("change", _ids(CHANGES))
def test_another_branchs_change_is_not_found_and_changes_nothing(platform, member, change, changer):
    service = CHANGES[change][0]
    who = (CHANGERS if service == "membership" else CONTRIBUTION_CHANGERS)[changer]
    running = platform[service]
    record_before = _record(platform, service, member)
    rows_before = running.rows.snapshot()
    seen = answer(platform, CHANGES[change], who, member)
    written = running.rows.written_since(rows_before)
    never = answer(platform, CHANGES[change], who, NEVER_ISSUED)
    assert seen[0] != "OK", f"another branch changed the member: {seen}"
    if change not in UNKNOWN_IS_NO_NOT_FOUND:
        assert seen[0] == "NOT_FOUND", seen
    assert seen == never, f"the answer tells that the other branch's record exists:\n  {seen}\nvs never issued:\n  {never}"
    assert written == {}, f"a refused change wrote rows: {written}"
    assert _record(platform, service, member) == record_before


def _record(platform, service, member: Member):
    """What the own branch sees of the member, to compare before and after a change attempt."""
    own = OWN_BRANCH[service]
    if service == "membership":
        return (_stub(platform, service, EMPLOYERS, own).GetEmployer(employers_pb2.GetEmployerRequest(npp=member.npp)),
                _stub(platform, service, WORKERS, own).GetWorker(workers_pb2.GetWorkerRequest(kpj=member.kpj)),
                _stub(platform, service, WORKERS, own).GetFamily(workers_pb2.GetFamilyRequest(kpj=member.kpj)))
    return (_stub(platform, service, BILLING, own).GetBill(billing_pb2.GetBillRequest(bill_number=member.bill_number)),
            _stub(platform, service, STANDING, own).GetStanding(standing_pb2.GetStandingRequest(npp=member.npp)))
