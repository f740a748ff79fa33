"""The membership replica in the chassis: the parts a service selects, the handlers every
service shares (M-1, M-3, M-6, M-8), the hooks a service acts through, and the position
per source partition it records in the transaction of each message (issue 12 b)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import MetaData, create_engine, select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2
from services.chassis.application import Application
from services.chassis.consumer import EventApplier, HandlerRegistry, MessagePosition
from services.chassis.database import make_session_factory
from services.chassis.errors import InvalidArgument
from services.chassis.events import make_envelope
from services.chassis.membership_replica import MembershipReplica, Part
from services.chassis.tables import add_platform_tables

TOPIC = "jamsos.membership.events.v1"
NPP, OTHER_NPP, KPJ = "10000001", "10000002", "20000000001"


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def employer(npp: str = NPP, risk_group: int = 2) -> employers_pb2.Employer:
    return employers_pb2.Employer(npp=npp, branch_code="KC-BINJAI", legal_name=f"PT Contoh {npp}", address="Jl. Gatot 7",
                                  registration_date=d(date(2015, 1, 5)), risk_group=risk_group,
                                  kind=employers_pb2.EMPLOYER_KIND_COMPANY, status=employers_pb2.EMPLOYER_STATUS_ACTIVE)


def worker(npp: str = NPP, start: date = date(2020, 2, 3), wage: int = 4_000_000) -> workers_pb2.Worker:
    return workers_pb2.Worker(kpj=KPJ, nik="1275010101900001", name="Budi Santoso", birth_date=d(date(1990, 1, 1)),
                              marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=types_pb2.Money(rupiah=wage),
                              npp=npp, branch_code="KC-BINJAI", start_date=d(start),
                              status=workers_pb2.WORKER_STATUS_ACTIVE)


class Recorded:
    """Hooks that record what they were told and apply the change."""

    def __init__(self):
        self.calls: list[tuple] = []

    def employments_changed(self, uow, changes, apply):
        self.calls.extend(("employment", c.kpj, c.npps, c.since) for c in changes)
        apply()

    def fact_changed(self, uow, *, since, apply, kpj=None, npp=None):
        self.calls.append(("fact", kpj, npp, since))
        apply()


class Service:
    def __init__(self, tmp_path, parts):
        metadata = MetaData()
        tables = add_platform_tables(metadata)
        self.replica = MembershipReplica(metadata, parts)
        self.engine = create_engine(f"sqlite:///{tmp_path}/replica.db")
        metadata.create_all(self.engine)
        self.app = Application("contributions", self.engine, make_session_factory(self.engine), tables)
        self.hooks = Recorded()
        registry = HandlerRegistry()
        self.replica.register(registry, self.hooks)
        self.applier = EventApplier("test-membership", "contributions", registry, self.app.unit_of_work)
        self.offset = -1

    def feed(self, payload, *, offset: int | None = None, envelope=None) -> str:
        """Applies one event as the runner would, at the next offset of partition 0 (or `offset`)."""
        self.offset = self.offset + 1 if offset is None else offset
        envelope = envelope or make_envelope(payload, aggregate_type="worker", aggregate_id=KPJ,
                                             branch_code="KC-BINJAI", producer="membership")
        return self.applier.apply(envelope, MessagePosition(TOPIC, 0, self.offset))

    def rows(self, table) -> list[tuple]:
        with self.app.read_session() as session:
            return [tuple(r) for r in session.execute(select(table)).all()]

    def positions(self) -> dict:
        with self.app.read_session() as session:
            return self.replica.queries(session).positions()


@pytest.fixture
def billing_like(tmp_path):
    service = Service(tmp_path, {Part.EMPLOYER_DETAILS, Part.RISK_GROUPS, Part.MARITAL_HISTORY})
    yield service
    service.engine.dispose()


@pytest.fixture
def claims_like(tmp_path):
    service = Service(tmp_path, {Part.WORKER_IDENTITY, Part.FAMILY})
    yield service
    service.engine.dispose()


def test_a_service_keeps_only_the_parts_it_selects(tmp_path):
    plain = MembershipReplica(MetaData())
    assert (plain.tables.risk_groups, plain.tables.marital, plain.tables.family) == (None, None, None)
    assert "address" not in plain.tables.employers.c and "nik" not in plain.tables.workers.c
    assert "branch_code" not in plain.tables.employments.c
    full = MembershipReplica(MetaData(), set(Part))
    assert {t.name for t in (full.tables.risk_groups, full.tables.marital, full.tables.family)} == {
        "rm_employer_risk_groups", "rm_worker_marital", "rm_family_members"}
    assert {"address", "kind"} <= set(full.tables.employers.c.keys())
    assert {"nik", "birth_date", "member_since", "end_reason"} <= set(full.tables.workers.c.keys())


@pytest.mark.parametrize("parts", [{Part.NAMES_VERSION}, {Part.NAMES_VERSION, Part.MARITAL_HISTORY, Part.WORKER_IDENTITY}])
def test_the_names_version_moves_with_each_rename_of_a_held_worker_only(tmp_path, parts):
    s = Service(tmp_path, parts)
    version = s.replica.tables.names_version

    def renamed(name: str, npp: str = NPP) -> events_pb2.WorkerEnrolled:
        enrolled = worker(npp)
        enrolled.name = name
        return events_pb2.WorkerEnrolled(worker=enrolled)

    s.feed(events_pb2.WorkerEnrolled(worker=worker()))  # the KPJ's first row: no name held before
    s.feed(events_pb2.WorkerEnrolled(worker=worker()))  # the same name again
    assert s.rows(version) == []
    # A rename: the row is made when missing (a schema made without the migration's row).
    s.feed(renamed("Budi S."))
    assert s.rows(version) == [(1, 1)]
    s.feed(events_pb2.WorkerTransferred(worker=worker(OTHER_NPP, start=date(2023, 7, 1)), previous_npp=NPP,
                                        previous_end_date=d(date(2023, 6, 30))))  # back to "Budi Santoso"
    s.feed(renamed("Budi Santoso", OTHER_NPP))
    assert s.rows(version) == [(1, 2)]
    s.engine.dispose()


@pytest.mark.rule("M-3", "M-8")
def test_enrolment_transfer_and_death_go_through_the_hooks_with_the_dates_they_take_effect(billing_like):
    s = billing_like
    assert s.feed(events_pb2.EmployerRegistered(employer=employer())) == "applied"
    s.feed(events_pb2.EmployerRegistered(employer=employer(OTHER_NPP)))
    s.feed(events_pb2.WorkerEnrolled(worker=worker()))
    s.feed(events_pb2.WorkerTransferred(worker=worker(OTHER_NPP, start=date(2023, 7, 1), wage=5_000_000),
                                        previous_npp=NPP, previous_end_date=d(date(2023, 6, 30))))
    s.feed(events_pb2.WorkerDied(kpj=KPJ, npp=OTHER_NPP, death_date=d(date(2024, 3, 9))))
    assert s.hooks.calls == [("employment", KPJ, (NPP,), date(2020, 2, 3)),
                             ("employment", KPJ, (NPP, OTHER_NPP), date(2023, 6, 30)),
                             ("employment", KPJ, (OTHER_NPP,), date(2024, 3, 9))]
    t = s.replica.tables
    assert sorted(s.rows(t.employments)) == [(KPJ, NPP, date(2020, 2, 3), date(2023, 6, 30)),
                                             (KPJ, OTHER_NPP, date(2023, 7, 1), date(2024, 3, 9))]
    assert sorted(s.rows(t.wages)) == [(KPJ, date(2020, 2, 3), 4_000_000), (KPJ, date(2023, 7, 1), 5_000_000)]
    [row] = s.rows(t.workers)
    assert row == (KPJ, "Budi Santoso", OTHER_NPP, "KC-BINJAI", "DECEASED", "JHT,JKK,JK,JPK", date(2024, 3, 9))
    assert sorted(s.rows(t.risk_groups)) == [(NPP, date(2015, 1, 5), 2), (OTHER_NPP, date(2015, 1, 5), 2)]
    assert [status for _kpj, _since, status in s.rows(t.marital)] == ["MARRIED"]  # the transfer did not repeat it


@pytest.mark.rule("C-3", "C-1")
def test_a_risk_group_or_wage_change_is_a_fact_change_from_its_effective_date(billing_like):
    s = billing_like
    s.feed(events_pb2.EmployerRegistered(employer=employer()))
    s.feed(events_pb2.WorkerEnrolled(worker=worker()))
    s.feed(events_pb2.EmployerChanged(employer=employer(risk_group=4), change="risk_group",
                                      effective_date=d(date(2024, 2, 1))))
    s.feed(events_pb2.EmployerChanged(employer=employer(risk_group=4), change="address"))
    s.feed(events_pb2.WorkerWageChanged(kpj=KPJ, npp=NPP, monthly_wage=types_pb2.Money(rupiah=4_500_000),
                                        effective_date=d(date(2024, 1, 1))))
    assert s.hooks.calls[1:] == [("fact", None, NPP, date(2024, 2, 1)), ("fact", KPJ, None, date(2024, 1, 1))]
    assert sorted(s.rows(s.replica.tables.risk_groups)) == [(NPP, date(2015, 1, 5), 2), (NPP, date(2024, 2, 1), 4)]
    assert (KPJ, date(2024, 1, 1), 4_500_000) in s.rows(s.replica.tables.wages)


@pytest.mark.rule("M-6", "M-8")
def test_identity_and_family_where_selected(claims_like):
    s = claims_like
    s.feed(events_pb2.EmployerRegistered(employer=employer()))
    s.feed(events_pb2.WorkerEnrolled(worker=worker(start=date(2012, 5, 2))))
    s.feed(events_pb2.WorkerFamilyChanged(kpj=KPJ, npp=NPP, marital_status=workers_pb2.MARITAL_STATUS_DIVORCED,
                                          members=[workers_pb2.FamilyMember(name="Siti", relation=workers_pb2.RELATION_CHILD,
                                                                            birth_date=d(date(2014, 8, 1)), member_id="fm-1")]))
    s.feed(events_pb2.WorkerTerminated(kpj=KPJ, npp=NPP, termination_date=d(date(2024, 1, 31)),
                                       reason=workers_pb2.TERMINATION_REASON_RESIGNED))
    with s.app.read_session() as session:
        q = s.replica.queries(session)
        w = q.worker(KPJ)
        assert (w.status, w.marital_status, w.member_since, w.end_date, w.end_reason, w.nik) == (
            "NON_ACTIVE", "DIVORCED", date(2012, 5, 2), date(2024, 1, 31), "RESIGNED", "1275010101900001")
        assert [(e.npp, e.branch_code, e.end_date) for e in q.employments_of(KPJ)] == [(NPP, "KC-BINJAI", date(2024, 1, 31))]
        assert [(f.name, f.relation, f.member_id) for f in q.family_of(KPJ)] == [("Siti", "CHILD", "fm-1")]
        assert (q.wage_on(KPJ, date(2012, 5, 1)), q.wage_on(KPJ, date(2012, 5, 2))) == (None, 4_000_000)


def test_a_replica_without_a_dated_or_current_marital_status_ignores_family_events(tmp_path):
    s = Service(tmp_path, ())
    assert s.feed(events_pb2.WorkerFamilyChanged(kpj=KPJ, npp=NPP, marital_status=workers_pb2.MARITAL_STATUS_MARRIED)) \
        == "ignored"
    s.engine.dispose()


def test_the_position_is_recorded_per_partition_for_applied_ignored_and_duplicate_events(billing_like):
    s = billing_like
    registered = make_envelope(events_pb2.EmployerRegistered(employer=employer()), aggregate_type="employer",
                               aggregate_id=NPP, branch_code="KC-BINJAI", producer="membership")
    assert s.feed(None, envelope=registered) == "applied"
    assert s.positions() == {(TOPIC, 0): 0}
    # An event the replica has no handler for (here the office tree) is behind it all the same.
    tree = make_envelope(events_pb2.OfficeTreeChanged(), aggregate_type="office_tree", aggregate_id="office-tree",
                         branch_code="KP", producer="membership")
    assert s.feed(None, envelope=tree) == "ignored"
    assert s.positions() == {(TOPIC, 0): 1}
    # The relay sent the same event again (at least once): a duplicate, and the position moves on.
    assert s.feed(None, envelope=registered) == "duplicate"
    assert s.positions() == {(TOPIC, 0): 2}
    # A replay of an older offset (a rebalance) never moves it back.
    assert s.feed(None, envelope=registered, offset=1) == "duplicate"
    assert s.positions() == {(TOPIC, 0): 2}
    s.applier.apply(make_envelope(events_pb2.EmployerRegistered(employer=employer(OTHER_NPP)), aggregate_type="employer",
                                  aggregate_id=OTHER_NPP, branch_code="KC-BINJAI", producer="membership"),
                    MessagePosition(TOPIC, 3, 7))
    assert s.positions() == {(TOPIC, 0): 2, (TOPIC, 3): 7}


def test_the_position_is_written_in_the_transaction_of_the_event_it_applied(billing_like):
    s = billing_like
    bad = events_pb2.WorkerEnrolled(worker=workers_pb2.Worker(kpj=KPJ, npp=NPP))  # no start date: refused
    with pytest.raises(InvalidArgument):
        s.feed(bad)
    assert s.positions() == {} and s.rows(s.replica.tables.workers) == []


@pytest.mark.rule("M-3", "M-6")
@pytest.mark.parametrize("parts", [set(), {Part.MARITAL_HISTORY}, {Part.WORKER_IDENTITY, Part.FAMILY}, set(Part)],
                         ids=["plain", "marital", "identity", "all"])
def test_the_prebuilt_writes_leave_the_rows_the_session_writes_leave(tmp_path, parts):
    """Handlers write through the unit of work's prebuilt connection; a store on a Session
    alone (no `db`) is the reference: the same employments leave the same rows."""
    (tmp_path / "prebuilt").mkdir()
    (tmp_path / "session").mkdir()
    prebuilt, session_only = Service(tmp_path / "prebuilt", parts), Service(tmp_path / "session", parts)
    sent = [worker(), worker(), worker(wage=5_000_000),  # re-sent, then a new wage on the same start
            worker(npp=OTHER_NPP, start=date(2022, 7, 1)), worker(start=date(2019, 5, 6))]
    for offset, w in enumerate(sent):
        assert prebuilt.feed(events_pb2.WorkerEnrolled(worker=w)) == "applied"
        with session_only.app.unit_of_work() as uow:
            store = session_only.replica.store(uow.session)
            assert store.db is None
            store.take_up_employment(w)
            store.record_position(MessagePosition(TOPIC, 0, offset), "event")
            uow.commit()
    t = prebuilt.replica.tables
    for table in (t.workers, t.employments, t.wages, t.marital):
        if table is not None:
            assert prebuilt.rows(table) == session_only.rows(table) != []
    assert prebuilt.positions() == session_only.positions() == {(TOPIC, 0): len(sent) - 1}
    for service in (prebuilt, session_only):
        service.engine.dispose()


def enrolled(kpj: str, npp: str = NPP, start: date = date(2020, 2, 3), wage: int = 4_000_000,
             marital: int = workers_pb2.MARITAL_STATUS_MARRIED, name: str = "Budi Santoso") -> events_pb2.WorkerEnrolled:
    w = worker(npp, start, wage)
    w.kpj, w.marital_status, w.name = kpj, marital, name
    return events_pb2.WorkerEnrolled(worker=w)


@pytest.mark.rule("M-3", "M-6")
@pytest.mark.parametrize("parts", [set(), {Part.MARITAL_HISTORY}, {Part.WORKER_IDENTITY, Part.FAMILY},
                                   {Part.NAMES_VERSION, Part.MARITAL_HISTORY}, set(Part)],
                         ids=["plain", "marital", "identity", "names", "all"])
def test_enrolments_applied_as_one_batch_leave_the_rows_and_hook_calls_of_one_at_a_time(tmp_path, parts):
    """A batch's consecutive enrolments are written a statement per table (`many`); the same
    worker twice in the batch waits for the next run, so each one sees the rows of the one
    before: the rows, the hooks' calls and the names version are those of one event at a time."""
    (tmp_path / "one").mkdir()
    (tmp_path / "batch").mkdir()
    one, batch = Service(tmp_path / "one", parts), Service(tmp_path / "batch", parts)
    k2, k3 = "20000000002", "20000000003"
    first = [enrolled(KPJ), enrolled(k2, marital=workers_pb2.MARITAL_STATUS_SINGLE)]
    sent = [
        enrolled(k3, start=date(2021, 3, 1)),
        enrolled(KPJ),  # re-sent: its employment is held, its marital entry is not re-dated
        enrolled(k2, npp=OTHER_NPP, start=date(2022, 7, 1), name="Siti A."),  # renamed, a later employment
        enrolled(k3, start=date(2021, 3, 1), wage=5_000_000),  # the same worker again in the batch
        enrolled(KPJ, npp=OTHER_NPP, start=date(2019, 5, 6), marital=workers_pb2.MARITAL_STATUS_SINGLE),  # earlier
        # Re-sent with another status: the employment is held, so its entry stays (M-6).
        enrolled(k2, npp=OTHER_NPP, start=date(2022, 7, 1), name="Siti A.", marital=workers_pb2.MARITAL_STATUS_DIVORCED),
    ]
    for payload in first + sent:
        assert one.feed(payload) == "applied"

    def envelope_of(payload, offset):
        return (make_envelope(payload, aggregate_type="worker", aggregate_id=payload.worker.kpj, branch_code="KC-BINJAI",
                              producer="membership"), MessagePosition(TOPIC, 0, offset))

    assert batch.applier.apply_batch([envelope_of(p, i) for i, p in enumerate(first)]) == ["applied"] * 2
    assert batch.applier.apply_batch([envelope_of(p, len(first) + i) for i, p in enumerate(sent)]) == ["applied"] * 6
    t = one.replica.tables
    for table in (t.workers, t.employments, t.wages, t.marital, t.names_version):
        if table is not None:
            assert sorted(batch.rows(table)) == sorted(one.rows(table)), table.name
    assert batch.rows(t.workers) != []
    assert batch.hooks.calls == one.hooks.calls
    assert batch.positions() == one.positions() == {(TOPIC, 0): len(first) + len(sent) - 1}
    for service in (one, batch):
        service.engine.dispose()
