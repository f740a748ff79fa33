"""Who may read and change a member's record: branch scope (O-2) x roles (O-3), per RPC.

The member belongs to KC-BINJAI (region KW-SUMBAGUT). Reads: the branch, its region and
the head office (the auditor included) may; other branches and regions get NOT_FOUND, the
same answer as for a KPJ never issued (a refusal reveals nothing), and a caller whose
roles grant nothing gets PERMISSION_DENIED. Changes: only the branch's administration
officer (a service officer issues cards); a refused change changes nothing.
"""
from __future__ import annotations

import logging
from datetime import date

import grpc
import pytest
from sqlalchemy import select

from jamsos.membership.v1 import cards_pb2, workers_pb2, workers_pb2_grpc
from tests.membership.service.workers_fixtures import (
    ADMIN, BORN, cards_of, d, enrol, enrol_request, money, new_nik, outbox_events, request_id, workers_of,
)


@pytest.fixture(scope="module")
def member(shared_service, binjai_npp):
    """A KC-BINJAI worker with a KPJ card, made once per module and backend."""
    from tests.service_harness import Caller, token_for

    def make(office, *roles, user=None):
        return Caller(shared_service.channel, token_for(office, *roles, user=user))

    nik = new_nik()
    kpj = enrol(make, binjai_npp, nik=nik).worker.kpj
    cards_of(make).IssueCard(cards_pb2.IssueCardRequest(request_id=request_id(), kpj=kpj, card_type=cards_pb2.CARD_TYPE_KPJ))
    return {"kpj": kpj, "nik": nik, "npp": binjai_npp}


READS = {
    "GetWorker": lambda c, m: workers_of(c, *c.who).GetWorker(workers_pb2.GetWorkerRequest(kpj=m["kpj"])),
    "FindKpj": lambda c, m: workers_of(c, *c.who).FindKpj(workers_pb2.FindKpjRequest(nik=m["nik"], birth_date=d(BORN))),
    "ListWorkers": lambda c, m: workers_of(c, *c.who).ListWorkers(workers_pb2.ListWorkersRequest(npp=m["npp"])),
    "GetFamily": lambda c, m: workers_of(c, *c.who).GetFamily(workers_pb2.GetFamilyRequest(kpj=m["kpj"])),
    "GetEmploymentHistory": lambda c, m: workers_of(c, *c.who).GetEmploymentHistory(workers_pb2.GetEmploymentHistoryRequest(kpj=m["kpj"])),
    "DownloadCard": lambda c, m: cards_of(c, *c.who).DownloadCard(cards_pb2.DownloadCardRequest(kpj=m["kpj"], card_type=cards_pb2.CARD_TYPE_KPJ)),
}

HIDDEN, DENIED = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED
READERS = {
    "own branch administration officer": (("KC-BINJAI", ADMIN), None),
    "own branch service officer": (("KC-BINJAI", "SERVICE_OFFICER"), None),
    "regional office of the branch": (("KW-SUMBAGUT", "REGIONAL_OFFICER"), None),
    "head office auditor": (("KP", "HEAD_OFFICE_AUDITOR"), None),
    "other branch of the same region": (("KC-MEDAN", ADMIN), HIDDEN),
    "branch of another region": (("KC-JAKSEL", "SERVICE_OFFICER"), HIDDEN),
    "another regional office": (("KW-DKI", "REGIONAL_OFFICER"), HIDDEN),
    "own branch with a role that grants nothing": (("KC-BINJAI", "VISITOR"), DENIED),
}


class _As:
    """A caller factory bound to one (office, roles): `workers_of(c, *c.who)`."""

    def __init__(self, caller, who):
        self.caller, self.who = caller, who

    def __call__(self, office, *roles, user=None):
        return self.caller(office, *roles, user=user)


@pytest.mark.rule("O-2", "O-3")
@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("rpc", list(READS))
def test_o2_o3_read_scope(caller, member, rpc, reader):
    who, refusal = READERS[reader]
    call = lambda: READS[rpc](_As(caller, who), member)  # noqa: E731
    if refusal is None:
        call()
        return
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == refusal, err.value.details()


WRITES = {
    "EnrolWorker": lambda s, m: workers_of(s, *s.who).EnrolWorker(enrol_request(m["npp"])),
    "ChangeWage": lambda s, m: workers_of(s, *s.who).ChangeWage(workers_pb2.ChangeWageRequest(
        request_id=request_id(), kpj=m["kpj"], monthly_wage=money(4_000_000), effective_date=d(date(2024, 1, 1)))),
    "ChangeMaritalStatus": lambda s, m: workers_of(s, *s.who).ChangeMaritalStatus(workers_pb2.ChangeMaritalStatusRequest(
        request_id=request_id(), kpj=m["kpj"], marital_status=workers_pb2.MARITAL_STATUS_DIVORCED)),
    "ChangeFamily": lambda s, m: workers_of(s, *s.who).ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=m["kpj"])),
    "TerminateWorker": lambda s, m: workers_of(s, *s.who).TerminateWorker(workers_pb2.TerminateWorkerRequest(
        request_id=request_id(), kpj=m["kpj"], termination_date=d(date(2024, 1, 31)), reason=workers_pb2.TERMINATION_REASON_RESIGNED)),
    "RecordDeath": lambda s, m: workers_of(s, *s.who).RecordDeath(workers_pb2.RecordDeathRequest(
        request_id=request_id(), kpj=m["kpj"], death_date=d(date(2024, 1, 31)))),
    "IssueCard": lambda s, m: cards_of(s, *s.who).IssueCard(cards_pb2.IssueCardRequest(
        request_id=request_id(), kpj=m["kpj"], card_type=cards_pb2.CARD_TYPE_KPK)),
}

WRITERS = {
    "own branch administration officer": (("KC-BINJAI", ADMIN), None),
    "own branch finance officer (wrong role)": (("KC-BINJAI", "FINANCE_OFFICER"), DENIED),
    "own branch marketing officer (wrong role)": (("KC-BINJAI", "MARKETING_OFFICER"), DENIED),
    "other branch administration officer": (("KC-MEDAN", ADMIN), HIDDEN),
    "regional office (reads only)": (("KW-SUMBAGUT", "REGIONAL_OFFICER", ADMIN), DENIED),
    "head office auditor (read-only)": (("KP", "HEAD_OFFICE_AUDITOR"), DENIED),
    "head office admin": (("KP", "HEAD_OFFICE_ADMIN"), DENIED),
}


@pytest.mark.rule("O-2", "O-3")
@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("rpc", list(WRITES))
def test_o2_o3_write_scope_and_a_refused_change_changes_nothing(caller, shared_service, binjai_npp, rpc, writer):
    kpj = enrol(caller, binjai_npp).worker.kpj  # a fresh member per case: the allowed ones change it
    target = {"kpj": kpj, "npp": binjai_npp}
    who, refusal = WRITERS[writer]
    before = (workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj)), outbox_events(shared_service, kpj))
    call = lambda: WRITES[rpc](_As(caller, who), target)  # noqa: E731
    if refusal is None:
        call()
        return
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == refusal, err.value.details()
    after = (workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj)), outbox_events(shared_service, kpj))
    assert after == before


@pytest.mark.rule("O-3")
def test_o3_a_service_officer_issues_cards_but_changes_no_record(caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    officer = cards_of(caller, "KC-BINJAI", "SERVICE_OFFICER")
    card = officer.IssueCard(cards_pb2.IssueCardRequest(request_id=request_id(), kpj=kpj, card_type=cards_pb2.CARD_TYPE_KPJ)).card
    assert card.issued_by == "kc-binjai-service_officer"
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller, "KC-BINJAI", "SERVICE_OFFICER").ChangeWage(workers_pb2.ChangeWageRequest(
            request_id=request_id(), kpj=kpj, monthly_wage=money(1), effective_date=d(date(2024, 1, 1))))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.rule("O-2")
def test_o2_a_refused_read_is_logged_and_audited(caller, shared_service, member, caplog):
    with caplog.at_level(logging.WARNING, logger="jamsos.scope"):
        with pytest.raises(grpc.RpcError):
            caller("KC-MEDAN", ADMIN, user="medan-snoop")(workers_pb2_grpc.WorkerServiceStub).GetWorker(
                workers_pb2.GetWorkerRequest(kpj=member["kpj"]))
    refused = [r for r in caplog.records if r.name == "jamsos.scope" and r.getMessage() == "access refused (O-2)"]
    assert refused and refused[-1].refused_office == "KC-MEDAN" and refused[-1].subject_branch == "KC-BINJAI"
    audit = shared_service.app.ctx.base.tables["audit"]
    with shared_service.app.ctx.base.read_session() as session:
        rows = session.execute(select(audit).where(audit.c.user_id == "medan-snoop")).all()
    assert [(r.action, r.office_code, r.subject) for r in rows] == [("access.refused", "KC-MEDAN", f"worker {member['kpj']}")]
    assert '"rpc": "jamsos.membership.v1.WorkerService/GetWorker"' in rows[0].detail


@pytest.mark.rule("O-2")
def test_o2_another_branch_s_member_looks_exactly_like_a_kpj_never_issued(caller, member):
    from services.membership.domain.numbers import make_kpj

    never_issued = make_kpj(9_999_999_999)
    answers = []
    for kpj in (member["kpj"], never_issued):
        with pytest.raises(grpc.RpcError) as err:
            workers_of(caller, "KC-JAKSEL", ADMIN).GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj))
        answers.append((err.value.code(), err.value.details().replace(kpj, "<kpj>"), err.value.trailing_metadata() and
                        len(err.value.trailing_metadata())))
    assert answers[0] == answers[1] and answers[0][0] == grpc.StatusCode.NOT_FOUND
