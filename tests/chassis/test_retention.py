"""Published outbox rows and inbox rows are pruned after the retention window, counted;
what is not yet published is never pruned."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from services.chassis import metrics
from services.chassis.retention import RetentionJob
from tests.chassis.eventing import make_application

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _outbox_row(event_id: str, published_at):
    return dict(event_id=event_id, event_type="t", topic="x", message_key="k", envelope=b"",
                created_at=NOW - timedelta(days=30), published_at=published_at)


def _count(app, table) -> int:
    with app.read_session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_rows_older_than_the_window_are_pruned_in_batches_and_counted(database_url):
    app = make_application(database_url)
    outbox, inbox = app.tables["outbox"], app.tables["inbox"]
    with app.unit_of_work() as uow:
        uow.session.execute(insert(outbox), [
            *[_outbox_row(f"old-{i}", NOW - timedelta(days=8)) for i in range(5)],
            _outbox_row("recent", NOW - timedelta(days=6)),
            _outbox_row("never-published", None),
        ])
        uow.session.execute(insert(inbox), [
            dict(consumer="c", event_id=f"in-{i}", event_type="t", applied_at=NOW - timedelta(days=8 - i * 3))
            for i in range(3)])  # 8, 5 and 2 days old
        uow.commit()
    before = metrics.RETENTION_PRUNED.labels("membership", "outbox")._value.get()
    job = RetentionJob("membership", app.session_factory, app.tables, window=timedelta(days=7), batch_size=2)
    assert job.prune_once(NOW) == {"outbox": 5, "inbox": 1}
    assert _count(app, outbox) == 2 and _count(app, inbox) == 2
    assert metrics.RETENTION_PRUNED.labels("membership", "outbox")._value.get() == before + 5
    assert job.prune_once(NOW) == {"outbox": 0, "inbox": 0}
