"""A flush of many events (a billing chunk's BillIssued) writes them in bulk (COPY on
PostgreSQL, multi-row INSERTs on SQLite): each event still its own row, stored value for
value as the per-event INSERT stores it, in the order emitted, within the transaction."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.any_pb2 import Any as AnyMessage
from sqlalchemy import MetaData, exc, text

from jamsos.common.v1 import envelope_pb2, types_pb2
from services.chassis import events, unit_of_work
from services.chassis.context import Principal, request_context, system_principal
from services.chassis.database import make_engine, make_session_factory
from services.chassis.tables import add_platform_tables
from services.chassis.unit_of_work import UnitOfWork

# The rows as the driver hands them back (on SQLite the stored text of the times itself).
STORED = text("SELECT id, event_id, event_type, topic, message_key, envelope, created_at, published_at,"
              " broker_partition, broker_offset FROM outbox ORDER BY id")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FLUSHED_AT = datetime(2024, 3, 1, 7, 30, 15, 123456, tzinfo=UTC)


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return FLUSHED_AT


@pytest.fixture
def outbox_db(database_url):
    metadata = MetaData()
    tables = add_platform_tables(metadata)
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    yield engine, tables
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def fixed_ids(monkeypatch):
    """Event ids counted from 1 again at each `restart()`, the flush's time frozen: two
    flushes of the same events then store the same values."""
    counter = itertools.count(1)

    def restart() -> None:
        nonlocal counter
        counter = itertools.count(1)

    monkeypatch.setattr(events, "uuid7", lambda: f"00000000-0000-7000-8000-{next(counter):012d}")
    monkeypatch.setattr(unit_of_work, "datetime", _FrozenDatetime)
    return restart


def _emit_and_commit(engine, tables, count: int, *, commit: bool = True) -> UnitOfWork:
    with UnitOfWork(make_session_factory(engine), tables, producer="test") as uow:
        for n in range(count):
            uow.emit(f"topic-{n % 3}", types_pb2.Money(rupiah=1000 + n), aggregate_type="employer",
                     aggregate_id=f"{n:08d}", branch_code="KC-BINJAI",
                     occurred_at=datetime(2024, 3, 1, 7, 0, n % 60, tzinfo=UTC))
        if commit:
            uow.commit()
        else:
            uow.flush_events()
    return uow


def _stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(STORED).all()]


def _clear(engine, tables) -> None:
    with engine.begin() as connection:
        connection.execute(tables["outbox"].delete())


@pytest.mark.parametrize("count", [unit_of_work._BULK_EVENTS, 250, 300])
def test_a_bulk_flush_stores_what_the_per_event_insert_stores_row_for_row_in_order(outbox_db, fixed_ids,
                                                                                   monkeypatch, count):
    engine, tables = outbox_db
    writer, bulk_flushes = unit_of_work._BULK_WRITERS[engine.dialect.name], []
    monkeypatch.setitem(unit_of_work._BULK_WRITERS, engine.dialect.name,
                        lambda uow, outbox, rows: (bulk_flushes.append(len(rows)), writer(uow, outbox, rows)))
    _emit_and_commit(engine, tables, count)
    bulk = _stored(engine)
    assert bulk_flushes == [count]
    _clear(engine, tables)
    fixed_ids()
    monkeypatch.setattr(unit_of_work, "_BULK_EVENTS", 10**9)  # every flush per event
    _emit_and_commit(engine, tables, count)
    one_by_one = _stored(engine)

    def without_id(rows: list[tuple]) -> list[tuple]:
        return [row[1:] for row in rows]

    assert len(bulk) == count
    assert without_id(bulk) == without_id(one_by_one)
    assert [row[1] for row in bulk] == [f"00000000-0000-7000-8000-{n:012d}" for n in range(1, count + 1)]
    assert [row[0] for row in bulk] == sorted(row[0] for row in bulk)  # ids in the order emitted


def test_bulk_flushed_events_are_gone_with_a_rolled_back_transaction(outbox_db):
    engine, tables = outbox_db
    uow = _emit_and_commit(engine, tables, 200, commit=False)  # flushed, never committed
    assert len(uow.committed_events) == 200
    assert _stored(engine) == []


def test_a_bulk_flush_of_a_branch_caller_writes_every_event(outbox_db):
    """On PostgreSQL the transaction begins with the caller's branch scope; the outbox holds
    no branch's rows, so no row security refuses its COPY."""
    engine, tables = outbox_db
    branch_user = Principal(user_id="ani", office_code="KC-BINJAI", office_level="BRANCH",
                            roles=frozenset({"ADMINISTRATION_OFFICER"}))
    with request_context(branch_user, "corr-1"):
        _emit_and_commit(engine, tables, 40)
    stored = _stored(engine)
    assert len(stored) == 40
    assert {events.parse_envelope(bytes(row[5])).correlation_id for row in stored} == {"corr-1"}


def test_insert_sizes_cover_every_row_with_few_distinct_statements():
    for count in range(1, 1000):
        sizes = unit_of_work._insert_sizes(count)
        assert sum(sizes) == count
        assert set(sizes) <= {unit_of_work._ROWS_PER_INSERT >> shift for shift in range(8)}


def test_an_envelope_is_the_bytes_any_pack_and_from_datetime_make(monkeypatch):
    """The envelope's payload and time set field by field are what protobuf's helpers set."""
    monkeypatch.setattr(events, "uuid7", lambda: "00000000-0000-7000-8000-000000000001")
    now_ns = 1_764_786_591_123_456_789

    class _Clock:
        @staticmethod
        def time_ns() -> int:
            return now_ns

    monkeypatch.setattr(events, "time", _Clock)
    payload = types_pb2.Money(rupiah=1_234_567)
    given = datetime(2024, 3, 1, 7, 30, 15, 123456, tzinfo=UTC)
    for correlation, causation in ((None, None), ("corr-1", None), ("corr-1", "cause-1")):
        with request_context(system_principal("test"), correlation, causation):
            for occurred_at in (None, given):
                built = events.make_envelope(payload, aggregate_type="employer", aggregate_id="00000001",
                                             branch_code="KC-BINJAI", producer="test", occurred_at=occurred_at)
                expected = envelope_pb2.EventEnvelope(
                    event_id="00000000-0000-7000-8000-000000000001", event_type="jamsos.common.v1.Money",
                    aggregate_type="employer", aggregate_id="00000001", branch_code="KC-BINJAI",
                    correlation_id=correlation or "00000000-0000-7000-8000-000000000001",
                    causation_id=causation or correlation or "00000000-0000-7000-8000-000000000001", producer="test")
                expected.occurred_at.FromDatetime(occurred_at or EPOCH + timedelta(microseconds=now_ns // 1000))
                packed = AnyMessage()
                packed.Pack(payload)
                expected.payload.CopyFrom(packed)
                assert built.SerializeToString() == expected.SerializeToString()


def test_a_bulk_flush_that_fails_raises_sqlalchemys_error_as_the_per_event_insert(outbox_db, monkeypatch):
    engine, tables = outbox_db
    monkeypatch.setattr(events, "uuid7", lambda: "00000000-0000-7000-8000-000000000001")  # one id twice: refused
    with pytest.raises(exc.IntegrityError):
        _emit_and_commit(engine, tables, 20)
    assert _stored(engine) == []
