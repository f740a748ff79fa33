"""The unit of work's prebuilt statements (prebuilt.py) write and read exactly what the
Session writes and reads, in the same transaction, and fail as SQLAlchemy does."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.chassis.application import Application
from services.chassis.database import make_engine, make_session_factory
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
things = Table(
    "prebuilt_things", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False, unique=True),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("blob", LargeBinary, nullable=True),
)
INSERT = insert(things)
BY_NAME = select(things).where(things.c.name == bindparam("name"))
RENAME = update(things).where(things.c.name == bindparam("old")).returning(things.c.id)
ROW = {"day": date(2025, 1, 2), "at": datetime(2026, 12, 2, 7, 53, 38, 766840, tzinfo=UTC), "blob": b"\x00\x01answer"}


@pytest.fixture
def app(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield Application("membership", engine, make_session_factory(engine), platform)
    metadata.drop_all(engine)
    engine.dispose()


def stored(app, name):
    with app.engine.connect() as connection:
        return connection.execute(select(things).where(things.c.name == name)).one()


def test_a_row_written_prebuilt_is_stored_and_read_back_as_through_the_session(app):
    with app.unit_of_work() as uow:
        uow.session.execute(insert(things).values(id=1, name="by session", **ROW))
        uow.prebuilt.execute(INSERT, [{"id": 2, "name": "prebuilt", **ROW}])
        through_session = uow.session.execute(BY_NAME, {"name": "prebuilt"}).one()
        through_prebuilt = uow.prebuilt.execute(BY_NAME, {"name": "by session"}).one()
        uow.commit()
    assert stored(app, "prebuilt")[2:] == stored(app, "by session")[2:]
    assert tuple(through_prebuilt)[2:] == tuple(through_session)[2:] == stored(app, "prebuilt")[2:]
    assert (through_prebuilt.day, through_prebuilt.blob) == (ROW["day"], ROW["blob"])
    assert through_prebuilt.at.replace(tzinfo=UTC) == ROW["at"]  # SQLite keeps no zone, as through the Session
    assert through_prebuilt.name == "by session" and through_prebuilt._mapping["id"] == 1


def test_prebuilt_and_session_statements_are_one_transaction(app):
    with app.unit_of_work() as uow:
        uow.prebuilt.execute(INSERT, {"id": 1, "name": "kept"})
        uow.commit()
    with app.unit_of_work() as uow:
        uow.session.execute(insert(things).values(id=2, name="rolled back"))
        assert uow.prebuilt.execute(RENAME, {"old": "kept", "name": "renamed"}).scalar_one() == 1
        uow.rollback()
    with app.engine.connect() as connection:
        assert connection.execute(select(things.c.name)).scalars().all() == ["kept"]


def test_a_driver_error_is_sqlalchemys(app):
    with app.unit_of_work() as uow:
        uow.prebuilt.execute(INSERT, {"id": 1, "name": "once"})
        with pytest.raises(IntegrityError):
            uow.prebuilt.execute(INSERT, {"id": 2, "name": "once"})


def test_an_in_list_goes_through_sqlalchemy_unchanged(app):
    in_list = select(things.c.name).where(things.c.id.in_(bindparam("ids", expanding=True))).order_by(things.c.id)
    with app.unit_of_work() as uow:
        uow.prebuilt.execute(INSERT, [{"id": i, "name": f"n{i}"} for i in range(1, 5)])
        assert uow.prebuilt.execute(in_list, {"ids": [2, 4]}).scalars().all() == ["n2", "n4"]


def test_statements_run_together_give_each_ones_result_in_order_and_fail_as_one_alone(app):
    """`execute_together`: on PostgreSQL one query of several statements (values bound on the
    client, the same parameter names in two steps kept apart); on SQLite one after another.
    Each step's rows come back as its own execute would give them; a failing step raises as
    SQLAlchemy does, and the transaction keeps nothing."""
    with app.unit_of_work() as uow:
        uow.prebuilt.execute(INSERT, [{"id": 1, "name": "first", **ROW}])
        results = uow.prebuilt.execute_together([
            (BY_NAME, {"name": "first"}),
            (INSERT, {"id": 2, "name": "it's second", **ROW}),  # a quote: bound, not pasted
            (BY_NAME, {"name": "it's second"}),
            (RENAME.values(name=bindparam("new")), {"old": "first", "new": "renamed"}),
        ])
        alone = uow.prebuilt.execute(BY_NAME, {"name": "it's second"}).all()
        assert [tuple(r) for r in results[2].all()] == [tuple(r) for r in alone] != []
        assert (results[0].first().id, results[0].first().name, results[0].first().day) == (1, "first", ROW["day"])
        assert results[2].first().blob == ROW["blob"] and results[2].first().at == alone[0].at
        assert [tuple(r) for r in results[3].all()] == [(1,)] and results[1].all() == []
        assert uow.prebuilt.execute(BY_NAME, {"name": "renamed"}).first().id == 1
        with pytest.raises(IntegrityError):
            uow.prebuilt.execute_together([(INSERT, {"id": 3, "name": "third", **ROW}),
                                           (INSERT, {"id": 5, "name": "third", **ROW}),
                                           (INSERT, {"id": 4, "name": "fourth", **ROW})])
    with app.unit_of_work() as uow:  # the first block never committed: nothing of it is kept
        assert uow.prebuilt.execute(select(things.c.id)).all() == []


def names(app) -> list[str]:
    with app.engine.connect() as connection:
        return list(connection.execute(select(things.c.name).order_by(things.c.id)).scalars())


def test_a_deferred_write_is_part_of_its_transaction_and_ahead_of_every_later_statement(app):
    """`defer` (on PostgreSQL sent with the next statement, in its query): what a later
    statement reads, through the prebuilt connection or the Session, includes it; it commits
    with the transaction and is never sent when the transaction rolls back."""
    with app.unit_of_work() as uow:
        uow.prebuilt.defer(INSERT, {"id": 1, "name": "deferred", **ROW})
        assert uow.prebuilt.execute(BY_NAME, {"name": "deferred"}).first().id == 1
        uow.prebuilt.defer(INSERT, [{"id": 2, "name": "second", **ROW}, {"id": 3, "name": "third", **ROW}])
        assert uow.session.execute(select(things.c.name).order_by(things.c.id)).scalars().all() == [
            "deferred", "second", "third"]
        uow.prebuilt.defer(INSERT, {"id": 4, "name": "at commit", **ROW})
        uow.commit()
    assert names(app) == ["deferred", "second", "third", "at commit"]
    with app.unit_of_work() as uow:
        uow.prebuilt.defer(INSERT, {"id": 5, "name": "rolled back", **ROW})
        uow.rollback()
        uow.commit()
    with app.unit_of_work() as uow:
        uow.prebuilt.defer(INSERT, {"id": 6, "name": "left without commit", **ROW})
    assert names(app) == ["deferred", "second", "third", "at commit"]


def test_a_deferred_write_in_a_savepoint_fails_or_is_undone_with_it(app):
    with app.unit_of_work() as uow:
        with pytest.raises(RuntimeError), uow.savepoint():
            uow.prebuilt.defer(INSERT, {"id": 1, "name": "undone", **ROW})
            raise RuntimeError("this part fails alone")
        with pytest.raises(IntegrityError), uow.savepoint():
            uow.prebuilt.defer(INSERT, {"id": 2, "name": "kept", **ROW})
            uow.prebuilt.defer(INSERT, {"id": 3, "name": "kept", **ROW})  # a unique name twice: fails here
        with uow.savepoint():
            uow.prebuilt.defer(INSERT, {"id": 4, "name": "released", **ROW})
        uow.commit()
    assert names(app) == ["released"]
