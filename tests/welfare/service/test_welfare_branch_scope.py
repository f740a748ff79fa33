"""Welfare's records stay in their branch (O-2), the scope held by the repositories: a
KC-BINJAI scholarship, partnership and cooperative loan application, loan, PUMP
application and payment order, read by id from KC-MEDAN (another branch of the same
region), answer NOT_FOUND exactly as an id never issued, and each is audited as a refusal;
every list shows only the caller's branches (a region's shows its branches), and a list
or a write naming another branch is PERMISSION_DENIED, audited too. The own branch gets
the same records (so the refusals are not vacuous). On SQLite and on PostgreSQL, whose row
security hides the rows as well: the refusal must be audited the same."""
from __future__ import annotations

import itertools
import uuid

import grpc
import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.welfare.v1 import loan_applications_pb2 as la
from jamsos.welfare.v1 import loan_applications_pb2_grpc as la_grpc
from jamsos.welfare.v1 import loans_pb2, loans_pb2_grpc
from jamsos.welfare.v1 import payouts_pb2 as ppb
from jamsos.welfare.v1 import payouts_pb2_grpc as ppb_grpc
from jamsos.welfare.v1 import pump_pb2, pump_pb2_grpc
from jamsos.welfare.v1 import scholarships_pb2 as spb
from jamsos.welfare.v1 import scholarships_pb2_grpc as spb_grpc
from tests.welfare.service import coop_support, pump_support
from tests.welfare.service import test_welfare_partnership as partnership
from tests.welfare.service import test_welfare_scholarships as scholarships
from tests.welfare.service.payout_support import awarded_scholarship, scholarship_order
from tests.welfare.service.support import ADMIN, FINANCE, REGIONAL, umk_version
from tests.welfare.service.test_welfare_on_both_databases import both  # noqa: F401 - the fixture

NEVER_ISSUED = "0190c0de-0000-7000-8000-000000000000"  # a valid uuid7 that no database issued
PAGE = types_pb2.PageRequest(page_size=500)
_snoops = (f"{n}-{uuid.uuid4().hex[:8]}" for n in itertools.count(1))  # a shared database outlives one run


@pytest.fixture(scope="module")
def welfare(both):  # noqa: F811 - the imported fixture
    """This module's service, on SQLite and on PostgreSQL."""
    return both


@pytest.fixture(scope="module")
def records(welfare) -> dict[str, dict[str, str]]:
    """Each kind's id, by branch: KC-BINJAI holds one of each; KC-MEDAN an application of
    each kind it can receive on its own (no fund, no payment yet)."""
    welfare.fund()
    welfare.feed(umk_version("KC-BINJAI", 2_900_000), umk_version("KC-MEDAN", 2_900_000))
    scholarship = awarded_scholarship(welfare)
    coop, loan_id = coop_support.agreed_loan(welfare, welfare.employer())
    binjai_npp = welfare.employer()
    medan_npp = welfare.employer("KC-MEDAN")
    return {
        "KC-BINJAI": {
            "scholarship": scholarship,
            "order": scholarship_order(welfare, scholarship).order_id,
            "cooperative": coop.application_id,
            "loan": loan_id,
            "partnership": partnership.submit(welfare).application_id,
            "pump": pump_support.submit(welfare, binjai_npp, [welfare.worker(binjai_npp)]).application_id,
        },
        "KC-MEDAN": {
            "scholarship": scholarships.submit(welfare, welfare.worker(medan_npp, "KC-MEDAN"),
                                               "KC-MEDAN").application_id,
            "partnership": partnership.submit(welfare, "KC-MEDAN", "KC-MEDAN").application_id,
            "pump": pump_support.submit(welfare, medan_npp, [welfare.worker(medan_npp, "KC-MEDAN")],
                                        office="KC-MEDAN").application_id,
        },
    }


# kind -> (stub, Get method, its request for an id, the audited kind, the answer's record field)
GETS = {
    "scholarship": (spb_grpc.ScholarshipServiceStub, "GetScholarshipApplication",
                    lambda i: spb.GetScholarshipApplicationRequest(application_id=i), "scholarship application",
                    "application"),
    "cooperative": (la_grpc.LoanApplicationServiceStub, "GetLoanApplication",
                    lambda i: la.GetLoanApplicationRequest(application_id=i), "loan application", "application"),
    "partnership": (la_grpc.LoanApplicationServiceStub, "GetLoanApplication",
                    lambda i: la.GetLoanApplicationRequest(application_id=i), "loan application", "application"),
    "loan": (loans_pb2_grpc.LoanServiceStub, "GetLoan", lambda i: loans_pb2.GetLoanRequest(loan_id=i), "loan",
             "loan"),
    "pump": (pump_pb2_grpc.PumpServiceStub, "GetPumpApplication",
             lambda i: pump_pb2.GetPumpApplicationRequest(application_id=i), "PUMP application", "application"),
    "order": (ppb_grpc.WelfarePayoutServiceStub, "GetPaymentOrder",
              lambda i: ppb.GetPaymentOrderRequest(order_id=i), "payment order", "order"),
}

# kind -> (stub, List method, its request naming a branch or none, the answer's list field, the kinds it lists)
LISTS = {
    "scholarships": (spb_grpc.ScholarshipServiceStub, "ListScholarshipApplications",
                     lambda b: spb.ListScholarshipApplicationsRequest(branch_code=b, page=PAGE), "applications",
                     ("scholarship",)),
    "loan applications": (la_grpc.LoanApplicationServiceStub, "ListLoanApplications",
                          lambda b: la.ListLoanApplicationsRequest(branch_code=b, page=PAGE), "applications",
                          ("cooperative", "partnership")),
    "loans": (loans_pb2_grpc.LoanServiceStub, "ListLoans",
              lambda b: loans_pb2.ListLoansRequest(branch_code=b, page=PAGE), "loans", ("loan",)),
    "pump": (pump_pb2_grpc.PumpServiceStub, "ListPumpApplications",
             lambda b: pump_pb2.ListPumpApplicationsRequest(branch_code=b, page=PAGE), "applications", ("pump",)),
    "orders": (ppb_grpc.WelfarePayoutServiceStub, "ListPaymentOrders",
               lambda b: ppb.ListPaymentOrdersRequest(branch_code=b, page=PAGE), "orders", ("order",)),
}


def _call(welfare, office: str, stub, method: str, request, *, user: str, roles=(ADMIN, FINANCE)):
    return getattr(welfare.stub(stub, office, *roles, user=user), method)(request)


def _refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


def _audited(welfare, user: str) -> list[tuple[str, str, str | None]]:
    audit = welfare.runtime.app.ctx.base.tables["audit"]
    with welfare.runtime.app.ctx.base.read_session() as session:
        rows = session.execute(select(audit).where(audit.c.user_id == user).order_by(audit.c.at)).all()
    return [(r.action, r.subject, r.reason) for r in rows]


# What names each record of an answer's field.
ID_OF = {"application": "application_id", "applications": "application_id", "loan": "loan_id", "loans": "loan_id",
         "order": "order_id", "orders": "order_id"}


def _id_of(answer, field: str) -> str:
    return str(getattr(getattr(answer, field), ID_OF[field]))


def _ids(answer, field: str) -> set[str]:
    return {getattr(r, ID_OF[field]) for r in getattr(answer, field)}


@pytest.mark.rule("O-2")
@pytest.mark.parametrize("kind", list(GETS))
def test_another_branch_s_record_answers_as_an_id_never_issued_and_is_audited(welfare, records, kind):
    stub, method, request, audited_kind, field = GETS[kind]
    theirs = records["KC-BINJAI"][kind]
    assert _id_of(_call(welfare, "KC-BINJAI", stub, method, request(theirs), user="own"), field) == theirs
    snoop = f"medan-snoop-{next(_snoops)}"
    hidden = _refused(lambda: _call(welfare, "KC-MEDAN", stub, method, request(theirs), user=snoop))
    unknown = _refused(lambda: _call(welfare, "KC-MEDAN", stub, method, request(NEVER_ISSUED), user="medan-other"))
    assert hidden.code() == grpc.StatusCode.NOT_FOUND
    assert (hidden.code(), hidden.details().replace(theirs, "<id>")) == (
        unknown.code(), unknown.details().replace(NEVER_ISSUED, "<id>"))
    assert _audited(welfare, snoop) == [("access.refused", f"{audited_kind} {theirs}", "answered as not found")]


@pytest.mark.rule("O-2")
@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_shows_only_the_caller_s_branches(welfare, records, name):
    stub, method, request, field, kinds = LISTS[name]
    binjai = {records["KC-BINJAI"][k] for k in kinds}
    medan = {records["KC-MEDAN"][k] for k in kinds if k in records["KC-MEDAN"]}
    own = _call(welfare, "KC-BINJAI", stub, method, request(""), user="own")
    assert binjai <= _ids(own, field) and not medan & _ids(own, field)
    assert {r.branch_code for r in getattr(own, field)} == {"KC-BINJAI"}
    other = _call(welfare, "KC-MEDAN", stub, method, request(""), user="medan")
    assert _ids(other, field) >= medan and not binjai & _ids(other, field)
    assert {r.branch_code for r in getattr(other, field)} <= {"KC-MEDAN"}
    region = _call(welfare, "KW-SUMBAGUT", stub, method, request(""), user="region", roles=(REGIONAL,))
    assert binjai | medan <= _ids(region, field)
    named = _call(welfare, "KW-SUMBAGUT", stub, method, request("KC-MEDAN"), user="region", roles=(REGIONAL,))
    assert _ids(named, field) >= medan and not binjai & _ids(named, field)


@pytest.mark.rule("O-2")
@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_naming_another_branch_is_refused_and_audited(welfare, records, name):
    stub, method, request, _, _ = LISTS[name]
    snoop = f"medan-lister-{next(_snoops)}"
    refused = _refused(lambda: _call(welfare, "KC-MEDAN", stub, method, request("KC-BINJAI"), user=snoop))
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED and "(O-2)" in refused.details()
    [(action, subject, outcome)] = _audited(welfare, snoop)
    assert (action, outcome) == ("access.refused", "refused") and subject.endswith("of KC-BINJAI")


@pytest.mark.rule("O-2")
def test_an_application_or_a_payout_file_for_another_branch_is_refused_audited_and_writes_nothing(welfare, records):
    before = _ids(_call(welfare, "KC-BINJAI", *LISTS["loan applications"][:2], la.ListLoanApplicationsRequest(
        page=PAGE), user="own"), "applications")
    snoop = f"medan-writer-{next(_snoops)}"
    stub = welfare.stub(la_grpc.PartnershipLoanServiceStub, "KC-MEDAN", ADMIN, user=snoop)
    application = la.SubmitPartnershipLoanRequest(request_id=f"rq-{snoop}", branch_code="KC-BINJAI",
                                                  proposal=la.PartnershipLoanProposal(
                                                      business=partnership.business(),
                                                      kind=la.PARTNERSHIP_LOAN_KIND_ORDINARY,
                                                      amount=types_pb2.Money(rupiah=50_000_000), term_months=24,
                                                      documents=partnership.DOCS))
    refused = _refused(lambda: stub.SubmitPartnershipLoan(application))
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    after = _ids(_call(welfare, "KC-BINJAI", *LISTS["loan applications"][:2], la.ListLoanApplicationsRequest(
        page=PAGE), user="own"), "applications")
    assert after == before
    file_for_binjai = _refused(lambda: list(welfare.stub(ppb_grpc.WelfarePayoutServiceStub, "KC-MEDAN", FINANCE,
                                                         user=snoop).ExportPayoutFile(ppb.ExportPayoutFileRequest(
                                                             request_id=f"rq-export-{snoop}",
                                                             branch_code="KC-BINJAI"))))
    assert file_for_binjai.code() == grpc.StatusCode.PERMISSION_DENIED
    assert [(a, s, o) for a, s, o in _audited(welfare, snoop)] == [
        ("access.refused", "loan applications of KC-BINJAI", "refused"),
        ("access.refused", "payment orders of KC-BINJAI", "refused")]
