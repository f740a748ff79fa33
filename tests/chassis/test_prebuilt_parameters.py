"""A prebuilt statement's parameters (prebuilt.py `_Compiled.parameters`, worked out once
per compiled statement) are what `compiled.construct_params` and the bind processors give,
value for value and type for type, on SQLite's and psycopg's dialects; a missing parameter
raises as SQLAlchemy's. Expanding binds are not prebuilt (they go through SQLAlchemy)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, bindparam, case, delete, func,
    insert, select, text, update,
)
from sqlalchemy import create_engine
from sqlalchemy.exc import InvalidRequestError

from services.chassis.prebuilt import _Compiled
from services.membership.adapters import worker_repository as workers

metadata = MetaData()
things = Table(
    "parameter_things", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("blob", LargeBinary, nullable=True),
    Column("counter", BigInteger, nullable=False, server_default="0"),
)

DAY, AT = date(2025, 1, 2), datetime(2026, 12, 2, 7, 53, 38, 766840, tzinfo=UTC)
ROW = {"id": 7, "name": "a", "day": DAY, "at": AT, "blob": b"\x00\x01"}

# (statement, the parameters given): inserts (server default left out), selects, updates,
# deletes, literal values, a bind with a default, a callable bind, .params(), a bind used twice.
CASES: list[tuple[Any, dict[str, Any]]] = [
    (insert(things), ROW),
    (insert(things), {"id": 1, "name": "only the required"}),
    (insert(things), {**ROW, "day": None, "at": None}),  # None is not processed
    (select(things).where(things.c.name == bindparam("name")), {"name": "a"}),
    (select(things).where(things.c.name == "literal", things.c.day > bindparam("day", type_=Date)), {"day": DAY}),
    (select(things.c.id).where(things.c.name == "literal"), {"name_1": "its compiled name overrides it"}),
    (select(things.c.id).where(things.c.id == bindparam("n", value=5, required=False)), {}),
    (select(things.c.id).where(things.c.id == bindparam("n", value=5, required=False)), {"n": 9}),
    (select(things.c.id).where(things.c.id == bindparam("n", callable_=lambda: 11, required=False)), {}),
    (select(things.c.id).where(things.c.name == bindparam("name")).params(name="own"), {}),
    (select(things.c.id).where(things.c.name == bindparam("name")).params(name="own"), {"name": "given"}),
    (select(things.c.id).where(
        case((things.c.day > bindparam("today", type_=Date), things.c.day), else_=bindparam("today", type_=Date))
        <= things.c.day), {"today": DAY}),
    (update(things).where(things.c.id == bindparam("of_id")), {"of_id": 3, "name": "b", "at": AT}),
    (update(things).where(things.c.name == "fixed").values(counter=things.c.counter + bindparam("count"))
     .returning(things.c.counter), {"count": 2}),
    (delete(things).where(things.c.id == bindparam("of_id"), things.c.day == bindparam("day", type_=Date)),
     {"of_id": 1, "day": DAY, "unused": "ignored"}),
    (select(func.count()).select_from(things), {}),
    (text("SELECT :a, :b"), {"a": 1, "b": DAY}),
    # The enrolment's own statements.
    (workers._BY_NIK_LOCKED, {"nik": "1275014102900001"}),
    (workers._BY_KPJ_WITH_WAGE, {"kpj": "00000000011", "today": DAY}),
    (workers._EMPLOYER_REF, {"npp": "00000019"}),
    (workers._ADVANCE_KPJS, {"count": 1}),
    (workers._UPDATE_WORKER, {"of_kpj": "1", "name": "n", "birth_date": DAY, "updated_at": AT}),
    (workers._CLOSE_OPEN_PERIOD, {"of_kpj": "1", "end_date": DAY, "end_reason": "TRANSFERRED"}),
    (workers._DELETE_WAGE_OF_DAY, {"of_kpj": "1", "day": DAY}),
    (workers._INSERT_WAGES, {"kpj": "1", "effective_date": DAY, "monthly_wage": 3_500_000}),
    (workers._INSERT_EMPLOYMENTS, {"kpj": "1", "npp": "2", "branch_code": "KC", "start_date": DAY,
                                    "end_date": None, "end_reason": None}),
]


@pytest.fixture(params=["sqlite://", "postgresql+psycopg://u:p@127.0.0.1:1/never_connected"], ids=["sqlite", "psycopg"])
def dialect(request):
    return create_engine(request.param).dialect


def construct_params(compiled: _Compiled, given: dict[str, Any]) -> Any:
    """What parameters() gave before: SQLAlchemy's construct_params, then the processors."""
    values = dict(compiled.compiled.construct_params(dict(given)))
    for name, process in compiled.bind_processors.items():
        if values.get(name) is not None:
            values[name] = process(values[name])
    if compiled.positional is not None:
        return [values[name] for name in compiled.positional]
    return values


def typed(values: Any) -> Any:
    """Each value with its key (or place) and type; psycopg's Binary compared by its bytes."""
    pairs = values.items() if isinstance(values, dict) else enumerate(values)
    return [(key, type(value), getattr(value, "obj", value)) for key, value in pairs]


@pytest.mark.parametrize(("statement", "given"), CASES)
def test_parameters_are_construct_params_value_for_value(dialect, statement, given):
    compiled = _Compiled(statement, dialect, sorted(given))
    assert compiled.runnable
    expected = construct_params(compiled, given)
    assert type(compiled.parameters(given)) is type(expected)
    assert typed(compiled.parameters(given)) == typed(expected)  # in the same order, of the same types


def test_an_escaped_bind_name_is_given_to_the_driver_escaped():
    """psycopg sees `odd name%` as an escaped name (SQLite's positional style has none to see)."""
    oddly_named = Table("oddly_named", MetaData(), Column("id", Integer, primary_key=True),
                        Column("odd name%", String(10)), Column("day", Date))
    dialect = create_engine("postgresql+psycopg://u:p@127.0.0.1:1/never_connected").dialect
    for statement, given in [(insert(oddly_named), {"id": 1, "odd name%": "x", "day": DAY}),
                             (update(oddly_named).where(oddly_named.c.id == bindparam("of_id")),
                              {"of_id": 1, "odd name%": "y"})]:
        compiled = _Compiled(statement, dialect, sorted(given))
        assert compiled.compiled.escaped_bind_names
        assert typed(compiled.parameters(given)) == typed(construct_params(compiled, given))


def test_the_enrolment_insert_of_every_column_gives_the_same_values(dialect):
    row = {"kpj": "00000000011", "nik": "1275014102900001", "name": "Siti", "birth_date": DAY, "sex": "FEMALE",
           "marital_status": "MARRIED", "monthly_wage": 3_500_000, "npp": "00000019", "branch_code": "KC-BINJAI",
           "start_date": DAY, "status": "ACTIVE", "programs": "JHT,JKK", "kind": "EMPLOYEE", "end_date": None,
           "end_reason": None, "death_date": None, "totally_disabled_on": None, "created_at": AT, "updated_at": AT}
    compiled = _Compiled(workers._INSERT_WORKERS, dialect, sorted(row))
    assert typed(compiled.parameters(row)) == typed(construct_params(compiled, row))


@pytest.mark.parametrize(("statement", "given", "missing"), [
    (insert(things), {"id": 1}, ["name"]),  # compiled for a row that had it, given one without
    (select(things).where(things.c.name == bindparam("name")), {}, ["name"]),
    (workers._UPDATE_WORKER, {"name": "n"}, ["of_kpj"]),
    (workers._CLOSE_OPEN_PERIOD, {"end_reason": "TRANSFERRED"}, ["end_date", "of_kpj"]),  # the first named
    (workers._BY_KPJ_WITH_WAGE, {"kpj": "1"}, ["today"]),  # a name used twice
])
def test_a_missing_parameter_raises_as_sqlalchemys(dialect, statement, given, missing):
    compiled = _Compiled(statement, dialect, sorted({**given, **dict.fromkeys(missing)}))
    with pytest.raises(InvalidRequestError) as ours:
        compiled.parameters(given)
    with pytest.raises(InvalidRequestError) as theirs:
        construct_params(compiled, given)
    assert str(ours.value) == str(theirs.value)
    assert ours.value.code == theirs.value.code == "cd3x"
    assert repr(missing[0]) in str(ours.value)


def test_none_given_is_no_parameters(dialect):
    compiled = _Compiled(select(func.count()).select_from(things), dialect, [])
    assert compiled.parameters(None) == construct_params(compiled, {})


def test_an_expanding_bind_is_not_prebuilt(dialect):
    statement = select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True)))
    assert not _Compiled(statement, dialect, ["ids"]).runnable


def test_a_text_statements_row_type_is_made_once_per_set_of_column_names():
    """Rows of a text statement are named by its cursor: the same names give the same row
    type (a namedtuple class per call cost 67 us: PostgreSQL's lock statements run each call)."""
    from services.chassis.prebuilt import _text_row_type

    first, again, other = _text_row_type(("kpj", "name")), _text_row_type(("kpj", "name")), _text_row_type(("kpj",))
    assert first is again and other is not first
    row = first("12345678901", "Ani")
    assert (row.kpj, row.name, row._mapping) == ("12345678901", "Ani", {"kpj": "12345678901", "name": "Ani"})
