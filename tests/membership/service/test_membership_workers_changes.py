"""Changes and reads of a member's record (M-4, M-5, M-6, M-8) through the real gRPC server."""
from __future__ import annotations

from datetime import date, timedelta

import grpc
import pytest

from jamsos.membership.v1 import events_pb2, workers_pb2
from services.chassis.events import unpack_payload
from tests.membership.service.workers_fixtures import (
    BORN, d, enrol, money, new_nik, outbox_envelopes, outbox_events, register_employer, request_id, rule_of,
    violated_fields, workers_of,
)

TODAY = date.today()


def _wage(stub, kpj, rupiah, effective, rid=None):
    return stub.ChangeWage(workers_pb2.ChangeWageRequest(
        request_id=rid or request_id("wage"), kpj=kpj, monthly_wage=money(rupiah), effective_date=d(effective)))


class TestWage:
    @pytest.mark.rule("M-4")
    def test_m4_a_back_dated_wage_change_is_published_with_its_date_and_the_wage_it_replaces(self, caller, shared_service, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        _wage(stub, kpj, 4_000_000, date(2022, 1, 1))
        changed = _wage(stub, kpj, 3_800_000, date(2021, 7, 1)).worker  # a correction, back-dated
        assert changed.monthly_wage.rupiah == 4_000_000  # the later change still applies today
        events = [unpack_payload(e, events_pb2.WorkerWageChanged) for e in outbox_envelopes(shared_service, kpj)[1:]]
        assert [(e.previous_wage.rupiah, e.monthly_wage.rupiah, e.effective_date) for e in events] == [
            (3_500_000, 4_000_000, d(date(2022, 1, 1))),
            (3_500_000, 3_800_000, d(date(2021, 7, 1))),
        ]
        assert all(e.kpj == kpj and e.npp == binjai_npp for e in events)

    @pytest.mark.rule("M-4")
    def test_m4_a_wage_change_dated_ahead_applies_from_its_day(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        assert _wage(stub, kpj, 9_000_000, TODAY + timedelta(days=20)).worker.monthly_wage.rupiah == 3_500_000
        assert stub.GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj)).worker.monthly_wage.rupiah == 3_500_000
        assert _wage(stub, kpj, 5_000_000, TODAY).worker.monthly_wage.rupiah == 5_000_000

    @pytest.mark.rule("M-4")
    def test_m4_bad_wage_changes_are_refused_naming_the_field(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        for rupiah, effective, field in [(-1, TODAY, "monthly_wage"), (0, TODAY, "monthly_wage"),
                                         (10**10, TODAY, "monthly_wage"), (2**63 - 1, TODAY, "monthly_wage.rupiah"),
                                         (4_000_000, date(2019, 12, 31), "effective_date")]:
            with pytest.raises(grpc.RpcError) as err:
                _wage(stub, kpj, rupiah, effective)
            assert violated_fields(err.value) == {field}

    @pytest.mark.rule("M-4")
    def test_m4_only_an_active_workers_wage_changes(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(
            request_id=request_id(), kpj=kpj, termination_date=d(date(2023, 1, 31)), reason=workers_pb2.TERMINATION_REASON_LAID_OFF))
        with pytest.raises(grpc.RpcError) as err:
            _wage(stub, kpj, 4_000_000, date(2023, 2, 1))
        assert rule_of(err.value) == "M-4"

    @pytest.mark.rule("M-4")
    def test_m4_an_unknown_kpj_is_not_found_and_a_malformed_one_invalid(self, caller):
        from services.membership.domain.numbers import make_kpj

        with pytest.raises(grpc.RpcError) as err:
            _wage(workers_of(caller), make_kpj(9_999_999_999), 4_000_000, TODAY)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as err:
            workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj="123"))
        assert violated_fields(err.value) == {"kpj"}


def _child(name, born, married=False):
    return workers_pb2.FamilyMember(name=name, relation=workers_pb2.RELATION_CHILD, birth_date=d(born), married=married)


SPOUSE = workers_pb2.FamilyMember(name="Ahmad", relation=workers_pb2.RELATION_SPOUSE, birth_date=d(date(1988, 5, 5)))


class TestFamily:
    @pytest.mark.rule("M-6")
    def test_m6_a_child_is_covered_until_the_day_before_the_21st_birthday(self, caller, shared_service, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp, born=date(1975, 3, 3), start_date=d(date(2000, 1, 3))).worker.kpj
        rina = _child("Rina", date(2003, 8, 15))
        changed = stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj, members=[SPOUSE, rina]))
        assert [m.name for m in changed.members] == ["Ahmad", "Rina"]

        def covered(on):
            family = stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=d(on)))
            return [m.name for m in family.covered_dependants]

        assert covered(date(2024, 8, 14)) == ["Ahmad", "Rina"]
        assert covered(date(2024, 8, 15)) == ["Ahmad"]  # 21 today: drops out
        assert outbox_events(shared_service, kpj)[-1] == "WorkerFamilyChanged"

    @pytest.mark.rule("M-6")
    def test_m6_at_most_three_children_eldest_first_and_the_next_moves_up(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp, born=date(1975, 3, 3), start_date=d(date(2000, 1, 3))).worker.kpj
        children = [_child("Anak1", date(2004, 1, 10)), _child("Anak2", date(2006, 2, 10)),
                    _child("Anak3", date(2008, 3, 10)), _child("Anak4", date(2010, 4, 10))]
        response = stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj, members=[SPOUSE, *children]))
        assert len(response.members) == 5

        def covered(on):
            return [m.name for m in stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=d(on))).covered_dependants]

        assert covered(date(2024, 6, 1)) == ["Ahmad", "Anak1", "Anak2", "Anak3"]
        assert covered(date(2025, 1, 10)) == ["Ahmad", "Anak2", "Anak3", "Anak4"]  # Anak1 is 21

    @pytest.mark.rule("M-6")
    def test_m6_a_married_child_drops_out_and_a_single_worker_has_no_dependants(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp, born=date(1975, 3, 3), start_date=d(date(2000, 1, 3)),
                    marital_status=workers_pb2.MARITAL_STATUS_SINGLE).worker.kpj
        with pytest.raises(grpc.RpcError) as err:  # no spouse for a single worker
            stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj, members=[SPOUSE]))
        assert violated_fields(err.value) == {"members[0].relation"}
        stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj, members=[
            _child("Dewi", date(2005, 1, 1)), _child("Eko", date(2007, 1, 1), married=True)]))
        assert list(stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj)).covered_dependants) == []
        married = stub.ChangeMaritalStatus(workers_pb2.ChangeMaritalStatusRequest(
            request_id=request_id(), kpj=kpj, marital_status=workers_pb2.MARITAL_STATUS_MARRIED, effective_date=d(date(2024, 2, 1))))
        assert married.worker.marital_status == workers_pb2.MARITAL_STATUS_MARRIED
        family = stub.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=d(date(2024, 6, 1))))
        assert [m.name for m in family.covered_dependants] == ["Dewi"]
        assert family.marital_status == workers_pb2.MARITAL_STATUS_MARRIED

    @pytest.mark.rule("M-6")
    def test_m6_bad_family_members_are_named_by_position(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        members = [SPOUSE, workers_pb2.FamilyMember(name="", relation=workers_pb2.RELATION_CHILD, birth_date=d(date(2010, 1, 1))),
                   workers_pb2.FamilyMember(name="X", birth_date=d(date(2010, 1, 1))),
                   _child("Old", date(1980, 1, 1)), _child("Later", TODAY + timedelta(days=3))]
        with pytest.raises(grpc.RpcError) as err:
            stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj, members=members))
        assert violated_fields(err.value) == {"members[1].name", "members[2].relation", "members[3].birth_date", "members[4].birth_date"}


class TestTerminationAndDeath:
    @pytest.mark.rule("M-8")
    def test_m8_termination_records_date_and_reason_and_closes_the_employment(self, caller, shared_service, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        worker = stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(
            request_id=request_id(), kpj=kpj, termination_date=d(date(2023, 3, 31)),
            reason=workers_pb2.TERMINATION_REASON_CONTRACT_ENDED)).worker
        assert worker.status == workers_pb2.WORKER_STATUS_NON_ACTIVE
        assert worker.end_date == d(date(2023, 3, 31)) and worker.end_reason == "CONTRACT_ENDED"
        history = stub.GetEmploymentHistory(workers_pb2.GetEmploymentHistoryRequest(kpj=kpj, on_date=d(date(2024, 1, 1))))
        assert [(p.end_date, p.end_reason) for p in history.periods] == [(d(date(2023, 3, 31)), "CONTRACT_ENDED")]
        assert not history.active_on_date and history.months_of_membership == 38  # 6 Jan 2020 .. 31 Mar 2023
        event = unpack_payload(outbox_envelopes(shared_service, kpj)[-1], events_pb2.WorkerTerminated)
        assert (event.kpj, event.npp, event.termination_date, event.reason) == (
            kpj, binjai_npp, d(date(2023, 3, 31)), workers_pb2.TERMINATION_REASON_CONTRACT_ENDED)
        with pytest.raises(grpc.RpcError) as err:
            stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(
                request_id=request_id(), kpj=kpj, termination_date=d(date(2023, 4, 30)), reason=workers_pb2.TERMINATION_REASON_OTHER))
        assert rule_of(err.value) == "M-8"

    @pytest.mark.rule("M-8")
    def test_m8_termination_needs_a_reason_and_a_date_not_ahead(self, caller, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        with pytest.raises(grpc.RpcError) as err:
            stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(request_id=request_id(), kpj=kpj, termination_date=d(TODAY)))
        assert violated_fields(err.value) == {"reason"}
        with pytest.raises(grpc.RpcError) as err:
            stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(
                request_id=request_id(), kpj=kpj, termination_date=d(TODAY + timedelta(days=2)), reason=workers_pb2.TERMINATION_REASON_RESIGNED))
        assert violated_fields(err.value) == {"termination_date"}

    @pytest.mark.rule("M-8")
    def test_m8_death_records_the_date_makes_the_member_deceased_and_is_published(self, caller, shared_service, binjai_npp):
        stub = workers_of(caller)
        kpj = enrol(caller, binjai_npp).worker.kpj
        worker = stub.RecordDeath(workers_pb2.RecordDeathRequest(request_id=request_id(), kpj=kpj, death_date=d(date(2024, 2, 29)))).worker
        assert worker.status == workers_pb2.WORKER_STATUS_DECEASED and worker.death_date == d(date(2024, 2, 29))
        history = stub.GetEmploymentHistory(workers_pb2.GetEmploymentHistoryRequest(kpj=kpj))
        assert history.periods[-1].end_reason == "DECEASED" and history.periods[-1].end_date == d(date(2024, 2, 29))
        event = unpack_payload(outbox_envelopes(shared_service, kpj)[-1], events_pb2.WorkerDied)
        assert (event.kpj, event.npp, event.death_date) == (kpj, binjai_npp, d(date(2024, 2, 29)))
        for change in (lambda: _wage(stub, kpj, 1, TODAY),
                       lambda: stub.RecordDeath(workers_pb2.RecordDeathRequest(request_id=request_id(), kpj=kpj, death_date=d(date(2024, 3, 1)))),
                       lambda: stub.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id(), kpj=kpj))):
            with pytest.raises(grpc.RpcError) as err:
                change()
            assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


class TestReads:
    @pytest.mark.rule("M-5")
    def test_m5_a_member_finds_the_kpj_with_nik_and_birth_date_and_a_wrong_date_gives_no_hint(self, caller, binjai_npp):
        nik = new_nik()
        kpj = enrol(caller, binjai_npp, nik=nik).worker.kpj
        stub = workers_of(caller, "KC-BINJAI", "SERVICE_OFFICER")
        found = stub.FindKpj(workers_pb2.FindKpjRequest(nik=nik, birth_date=d(BORN)))
        assert (found.kpj, found.name, found.status) == (kpj, "Siti Aminah", workers_pb2.WORKER_STATUS_ACTIVE)
        messages = []
        for request in (workers_pb2.FindKpjRequest(nik=nik, birth_date=d(date(1990, 2, 4))),
                        workers_pb2.FindKpjRequest(nik=new_nik(), birth_date=d(BORN))):
            with pytest.raises(grpc.RpcError) as err:
                stub.FindKpj(request)
            assert err.value.code() == grpc.StatusCode.NOT_FOUND
            messages.append(err.value.details())
        assert messages[0] == messages[1] and kpj not in messages[0]
        with pytest.raises(grpc.RpcError) as err:  # another branch's member: as if there were none (O-2)
            workers_of(caller, "KC-JAKSEL", "SERVICE_OFFICER").FindKpj(workers_pb2.FindKpjRequest(nik=nik, birth_date=d(BORN)))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and err.value.details() == messages[0]

    @pytest.mark.rule("M-4")
    def test_m4_an_employers_workers_are_listed_by_kpj_in_pages_with_a_status_filter(self, caller):
        npp = register_employer(caller)
        kpjs = sorted(enrol(caller, npp).worker.kpj for _ in range(5))
        stub = workers_of(caller)
        stub.TerminateWorker(workers_pb2.TerminateWorkerRequest(
            request_id=request_id(), kpj=kpjs[1], termination_date=d(date(2023, 1, 31)), reason=workers_pb2.TERMINATION_REASON_RESIGNED))
        seen, token = [], ""
        while True:
            page = stub.ListWorkers(workers_pb2.ListWorkersRequest(npp=npp, page={"page_size": 2, "page_token": token}))
            seen += [w.kpj for w in page.workers]
            token = page.page.next_page_token
            if not token:
                break
        assert seen == kpjs
        active = stub.ListWorkers(workers_pb2.ListWorkersRequest(npp=npp, status=workers_pb2.WORKER_STATUS_ACTIVE))
        assert [w.kpj for w in active.workers] == [k for k in kpjs if k != kpjs[1]]
        with pytest.raises(grpc.RpcError) as err:
            workers_of(caller, "KC-MEDAN").ListWorkers(workers_pb2.ListWorkersRequest(npp=npp))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND  # another branch's employer (O-2)
