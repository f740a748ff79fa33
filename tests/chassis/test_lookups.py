"""The lookup path answers exactly what SQLAlchemy's own execution answers, type for type,
on both databases (it runs the same compiled statement with the same processors)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, bindparam, case,
    event, insert, select,
)

from services.chassis.database import make_engine, read_engine
from services.chassis.lookups import Lookups

metadata = MetaData()
things = Table(
    "lookup_things", metadata,
    Column("code", String(11), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("count", Integer, nullable=True),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("flag", Boolean, nullable=False),
    Column("blob", LargeBinary, nullable=True),
)
ROWS = [
    {"code": "A", "amount": 9_223_372_036_854_775_807, "count": None, "day": date(2024, 2, 29),
     "at": datetime(2024, 3, 1, 7, 30, tzinfo=UTC), "flag": True, "blob": b"\x00\xff"},
    {"code": "B", "amount": -9_223_372_036_854_775_808, "count": 3, "day": None, "at": None, "flag": False, "blob": None},
]
BY_CODE = select(things).where(things.c.code == bindparam("code"))
# A bound date compared in SQL, a computed column and a LIMIT: what the worker lookup uses.
LATER_OF = select(things.c.code, case((things.c.day > bindparam("on", type_=Date), things.c.day),
                                      else_=bindparam("on", type_=Date)).label("shown")) \
    .where(things.c.flag.is_(True)).order_by(things.c.code).limit(1)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(things), ROWS)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def _through_sqlalchemy(engine, statement, params):
    with read_engine(engine).connect() as connection:
        return [tuple(row) for row in connection.execute(statement, params).all()]


@pytest.mark.parametrize("code", ["A", "B", "none such"])
def test_a_lookup_by_key_answers_what_sqlalchemy_answers_value_for_value(engine, code):
    with Lookups(engine).connection() as connection:
        found = [tuple(row) for row in connection.execute(BY_CODE, {"code": code}).all()]
    assert found == _through_sqlalchemy(engine, BY_CODE, {"code": code})
    if code == "A":  # the types themselves, not only equal reprs
        (row,) = found
        assert row[1] == 9_223_372_036_854_775_807 and isinstance(row[3], date) and row[5] is True
        assert row[6] == b"\x00\xff"


@pytest.mark.parametrize("on", [date(2024, 1, 1), date(2025, 1, 1)])
def test_bound_dates_computed_columns_and_limits_compile_as_sqlalchemy_compiles_them(engine, on):
    with Lookups(engine).connection() as connection:
        result = connection.execute(LATER_OF, {"on": on})
        row = result.first()
    assert (row.code, row.shown) == ("A", max(on, date(2024, 2, 29)))
    assert [tuple(row)] == _through_sqlalchemy(engine, LATER_OF, {"on": on})


def test_rows_offer_attribute_access_and_a_mapping_as_sqlalchemy_rows_do(engine):
    with Lookups(engine).connection() as connection:
        row = connection.execute(BY_CODE, {"code": "B"}).first()
        missing = connection.execute(BY_CODE, {"code": "Z"}).scalar_one_or_none()
    assert row.code == "B" and row._mapping["amount"] == -9_223_372_036_854_775_808
    assert missing is None


def test_a_statement_with_an_in_list_is_refused_for_the_lookup_path(engine):
    in_list = select(things).where(things.c.code.in_(["A", "B"]))
    with Lookups(engine).connection() as connection, pytest.raises(ValueError, match="IN lists"):
        connection.execute(in_list)


def test_a_missing_parameter_is_refused_not_sent_as_null(engine):
    from sqlalchemy.exc import InvalidRequestError

    with Lookups(engine).connection() as connection, pytest.raises(InvalidRequestError, match="code"):
        connection.execute(BY_CODE, {})


def test_on_sqlite_a_lookup_keeps_its_connection_and_still_reads_the_latest_commit(engine):
    """SQLite: the connection stays with the lookups (no pool checkout per call), in
    autocommit, so the next lookup on it reads what was committed since. PostgreSQL: back
    to the pool after each lookup. Disposing of the engine closes the kept ones."""
    kept = 1 if engine.dialect.name == "sqlite" else 0
    lookups = Lookups(engine)
    with lookups.connection() as connection:
        assert connection.execute(BY_CODE, {"code": "C"}).first() is None
    assert engine.pool.checkedout() == kept
    with engine.begin() as connection:
        connection.execute(insert(things), {**ROWS[1], "code": "C", "amount": 7})
    with lookups.connection() as connection:
        assert connection.execute(BY_CODE, {"code": "C"}).first().amount == 7
        assert engine.pool.checkedout() == 1  # the kept one, not one more
    assert engine.pool.checkedout() == kept
    handed_back: list[object] = []
    event.listen(engine, "checkin", lambda dbapi_connection, record: handed_back.append(dbapi_connection))
    engine.dispose()
    assert len(handed_back) == kept  # the kept connection left the lookups with the pool
    with lookups.connection() as connection:  # after a dispose, lookups go on on new connections
        assert connection.execute(BY_CODE, {"code": "A"}).first().flag is True
