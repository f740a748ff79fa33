"""`GroupedInsert` (FindKpj's audit rows, M-5) stores what SQLAlchemy's own INSERT stores,
value for value, and every caller returns only once its row is committed."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, insert, select, text

from services.chassis.database import make_engine
from services.chassis.lookups import GroupedInsert
from services.chassis.tables import add_platform_tables

metadata = MetaData()
audit = add_platform_tables(metadata)["audit"]
RAW = text("SELECT at, user_id, office_code, action, subject, detail, reason FROM audit_log ORDER BY id")


def _row(number: int, reason: str | None = None) -> dict:
    return {"at": datetime(2024, 3, 1, 7, 30, 15, 123456, tzinfo=UTC), "user_id": f"loket-{number}",
            "office_code": "KC-BINJAI", "action": "worker.find_kpj", "subject": f"nik {number:016d}",
            "detail": '{"outcome": "NOT_FOUND"}', "reason": reason}


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def _stored(engine) -> list[tuple]:
    """The rows as the driver hands them back (on SQLite the stored text itself)."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(RAW).all()]


def _clear(engine) -> None:
    with engine.begin() as connection:
        connection.execute(audit.delete())


def test_a_grouped_row_is_stored_as_sqlalchemys_insert_stores_it(engine):
    rows = [_row(1), _row(2, reason="a reason")]
    with engine.begin() as connection:
        connection.execute(insert(audit), rows)
    through_sqlalchemy = _stored(engine)
    _clear(engine)
    grouped = GroupedInsert(engine, audit)
    for row in rows:
        grouped.insert(row)
    assert _stored(engine) == through_sqlalchemy


def test_concurrent_callers_each_find_their_row_committed_when_they_return(engine):
    grouped = GroupedInsert(engine, audit)
    missing: list[int] = []

    def look_up(number: int) -> None:
        grouped.insert(_row(number))
        with engine.connect() as connection:  # another connection: only what is committed
            found = connection.execute(select(audit.c.id).where(audit.c.user_id == f"loket-{number}")).first()
        if found is None:
            missing.append(number)

    threads = [threading.Thread(target=look_up, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert missing == []
    assert sorted(row[1] for row in _stored(engine)) == sorted(f"loket-{n}" for n in range(40))


def test_a_row_the_table_refuses_fails_its_call_and_leaves_nothing(engine):
    grouped = GroupedInsert(engine, audit)
    refused = {**_row(1), "user_id": None}  # NOT NULL
    with pytest.raises(Exception, match="(?i)null"):
        grouped.insert(refused)
    assert _stored(engine) == []
    grouped.insert(_row(2))  # the next call writes as usual
    assert [row[1] for row in _stored(engine)] == ["loket-2"]
