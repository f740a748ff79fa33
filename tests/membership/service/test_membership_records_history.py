"""Member records with a history (issue 12): marital status on a date, employer addresses
dated ahead, family members' stable ids, audited KPJ lookups; through the real gRPC server
on SQLite and PostgreSQL (the histories are new tables, migration 0009)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import grpc
import pytest
from sqlalchemy import select

from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from tests.membership.service.workers_fixtures import (
    BORN, d, enrol, new_nik, register_employer, request_id, violated_fields, workers_of,
)

TODAY = date.today()
SPOUSE = workers_pb2.FamilyMember(name="Ahmad", relation=workers_pb2.RELATION_SPOUSE, birth_date=d(date(1988, 5, 5)))


def _child(name: str, born: date, **fields) -> workers_pb2.FamilyMember:
    return workers_pb2.FamilyMember(name=name, relation=workers_pb2.RELATION_CHILD, birth_date=d(born), **fields)


def _marital(stub, kpj: str, status: int, effective: date):
    return stub.ChangeMaritalStatus(workers_pb2.ChangeMaritalStatusRequest(
        request_id=request_id("ms"), kpj=kpj, marital_status=status, effective_date=d(effective))).worker


def _family(stub, kpj: str, *members):
    return stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id("fam"), kpj=kpj, members=members))


def _get_family(stub, kpj: str, on: date):
    return stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=d(on)))


@pytest.mark.rule("M-6", "M-4")
def test_m6_get_family_on_a_past_date_covers_by_the_marital_status_of_that_date(caller, binjai_npp):
    stub = workers_of(caller)
    kpj = enrol(caller, binjai_npp).worker.kpj  # enrolled MARRIED, from 2020-01-06
    _family(stub, kpj, SPOUSE, _child("Rina", date(2015, 4, 1)))
    assert _marital(stub, kpj, workers_pb2.MARITAL_STATUS_DIVORCED, date(2024, 5, 1)).marital_status == \
        workers_pb2.MARITAL_STATUS_DIVORCED

    married = _get_family(stub, kpj, date(2023, 6, 1))
    assert married.marital_status == workers_pb2.MARITAL_STATUS_MARRIED
    assert [m.name for m in married.covered_dependants] == ["Ahmad", "Rina"]
    divorced = _get_family(stub, kpj, date(2024, 6, 1))
    assert (divorced.marital_status, list(divorced.covered_dependants)) == (workers_pb2.MARITAL_STATUS_DIVORCED, [])
    assert _get_family(stub, kpj, date(2024, 4, 30)).marital_status == workers_pb2.MARITAL_STATUS_MARRIED  # the day before


@pytest.mark.rule("M-6", "M-4")
def test_m6_a_report_back_dated_before_a_later_change_fills_the_gap_and_keeps_the_later_status(caller, binjai_npp):
    stub = workers_of(caller)
    kpj = enrol(caller, binjai_npp).worker.kpj
    _marital(stub, kpj, workers_pb2.MARITAL_STATUS_DIVORCED, date(2024, 5, 1))
    # Reported late: widowed from 2023-01-01 (the later divorce of a new marriage stands).
    shown = _marital(stub, kpj, workers_pb2.MARITAL_STATUS_WIDOWED, date(2023, 1, 1))
    assert shown.marital_status == workers_pb2.MARITAL_STATUS_DIVORCED
    assert _get_family(stub, kpj, date(2023, 6, 1)).marital_status == workers_pb2.MARITAL_STATUS_WIDOWED
    assert _get_family(stub, kpj, date(2022, 12, 31)).marital_status == workers_pb2.MARITAL_STATUS_MARRIED
    with pytest.raises(grpc.RpcError) as err:  # still reported only once it happened
        _marital(stub, kpj, workers_pb2.MARITAL_STATUS_SINGLE, TODAY + timedelta(days=1))
    assert violated_fields(err.value) == {"effective_date"}


@pytest.mark.rule("M-6")
def test_m6_family_members_keep_a_stable_id_across_changes_that_name_the_same_person(caller, binjai_npp):
    stub = workers_of(caller)
    kpj = enrol(caller, binjai_npp).worker.kpj
    first = _family(stub, kpj, SPOUSE, _child("Rina  Putri", date(2015, 4, 1)))
    spouse_id, rina_id = (m.member_id for m in first.members)
    assert spouse_id and rina_id and spouse_id != rina_id
    assert [m.member_id for m in first.covered_dependants] == [spouse_id, rina_id]

    # Reordered, spelled with other case and spacing, one child more.
    second = _family(stub, kpj, _child("rina putri", date(2015, 4, 1)), _child("Dodi", date(2018, 9, 9)), SPOUSE)
    rina, dodi, spouse = second.members
    assert (rina.member_id, spouse.member_id) == (rina_id, spouse_id)
    assert dodi.member_id not in ("", spouse_id, rina_id)
    read = stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj))
    assert {m.name: m.member_id for m in read.covered_dependants} == {
        "Ahmad": spouse_id, "rina putri": rina_id, "Dodi": dodi.member_id}

    # A renamed child keeps its id when the client sends it back; an id of no one is refused.
    renamed = _family(stub, kpj, SPOUSE, _child("Rina Putri Lestari", date(2015, 4, 1), member_id=rina_id))
    assert [m.member_id for m in renamed.members] == [spouse_id, rina_id]
    with pytest.raises(grpc.RpcError) as err:
        _family(stub, kpj, SPOUSE, _child("Asing", date(2016, 1, 1), member_id="no-such-member"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(err.value) == {"members[1].member_id"}


def _employers(caller, *roles):
    return caller("KC-BINJAI", *(roles or ("ADMINISTRATION_OFFICER",)))(employers_pb2_grpc.EmployerServiceStub)


@pytest.mark.rule("M-1")
def test_m1_an_address_change_dated_ahead_takes_effect_on_its_day(caller):
    npp = register_employer(caller)  # "Jl. Sudirman No. 12", registered 2019-01-02
    stub = _employers(caller)
    moving = TODAY + timedelta(days=30)
    changed = stub.ChangeEmployerAddress(employers_pb2.ChangeEmployerAddressRequest(
        request_id=request_id("addr"), npp=npp, address="Jl. Gatot Subroto No. 5", effective_date=d(moving))).employer
    assert (changed.address, changed.address_effective_date) == ("Jl. Gatot Subroto No. 5", d(moving))

    def on(day: date | None):
        request = employers_pb2.GetEmployerRequest(npp=npp)
        if day is not None:
            request.on_date.CopyFrom(d(day))
        return stub.GetEmployer(request).employer

    assert (on(None).address, on(None).address_effective_date) == ("Jl. Sudirman No. 12", d(date(2019, 1, 2)))
    assert on(moving - timedelta(days=1)).address == "Jl. Sudirman No. 12"
    assert (on(moving).address, on(moving).address_effective_date) == ("Jl. Gatot Subroto No. 5", d(moving))
    assert on(date(2019, 6, 1)).address == "Jl. Sudirman No. 12"


def _lookups(runtime, subject: str) -> list[tuple[str, str, str]]:
    audit = runtime.app.ctx.base.tables["audit"]
    with runtime.app.ctx.base.read_session() as session:
        rows = session.execute(select(audit).where(audit.c.action == "worker.find_kpj", audit.c.subject == subject)
                               .order_by(audit.c.id)).all()
    return [(r.user_id, r.office_code, json.loads(r.detail)["outcome"]) for r in rows]


@pytest.mark.rule("M-5", "O-2")
def test_m5_every_kpj_lookup_is_audited_with_who_from_which_office_and_the_outcome(caller, shared_service, binjai_npp):
    nik = new_nik()
    kpj = enrol(caller, binjai_npp, nik=nik).worker.kpj
    ask = workers_pb2.FindKpjRequest(nik=nik, birth_date=d(BORN))
    assert caller("KC-BINJAI", "SERVICE_OFFICER", user="loket-1")(
        workers_pb2_grpc.WorkerServiceStub).FindKpj(ask).kpj == kpj
    for office, request in (("KC-BINJAI", workers_pb2.FindKpjRequest(nik=nik, birth_date=d(date(1990, 2, 4)))),
                            ("KC-JAKSEL", ask)):
        with pytest.raises(grpc.RpcError) as err:
            caller(office, "SERVICE_OFFICER", user="loket-2")(workers_pb2_grpc.WorkerServiceStub).FindKpj(request)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert _lookups(shared_service, kpj) == [("loket-1", "KC-BINJAI", "FOUND"), ("loket-2", "KC-JAKSEL", "OUT_OF_SCOPE")]
    assert _lookups(shared_service, f"nik {nik}") == [("loket-2", "KC-BINJAI", "NOT_FOUND")]

