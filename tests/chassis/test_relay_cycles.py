"""The relay's cycles and SQLite's writers: commits within the relay's minimum interval
between cycles go in one cycle, not one each; the writers of one process queue on a Python
lock that every end of a transaction (commit, rollback, an exception, a close) hands on, and
that a writer takes over when its holder never lets go."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import insert, select

from services.chassis import database
from services.chassis.outbox_relay import OutboxRelay
from tests.chassis import widget_service
from tests.chassis.eventing import BatchRecordingProducer, emit, eventually, make_application, outbox_unpublished

SLOW_POLL = 30.0  # seconds: only a wake explains a cycle
SPACED_COMMITS = 10


@pytest.fixture
def app(sqlite_url):
    return make_application(sqlite_url)


class _ProducerThenSpacedCommits(BatchRecordingProducer):
    """After the first batch, a thread commits events 10 ms apart, each of which wakes the relay."""

    committer: threading.Thread | None = None

    def after_first_batch(self) -> None:
        self.committer = threading.Thread(target=self._commit_spaced, daemon=True)
        self.committer.start()

    def _commit_spaced(self):
        for i in range(SPACED_COMMITS):
            emit(self.app, "topic-x", f"spaced-{i}", aggregate_id=f"agg-{i}")
            time.sleep(0.01)


def test_commits_within_the_minimum_interval_between_cycles_go_in_one_cycle(app):
    producer = _ProducerThenSpacedCommits(app)
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: producer,
                        idle_interval=SLOW_POLL, min_cycle_interval=2.0)
    emit(app, "topic-x", "first")
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(lambda: outbox_unpublished(app) == 0 and sum(producer.batches) == 1 + SPACED_COMMITS, timeout=10)
    finally:
        stop.set()
        thread.join(10)
    assert producer.batches == [1, SPACED_COMMITS], "ten wakes within the interval made one cycle"
    assert not thread.is_alive(), "a relay waiting out its minimum interval still stops at once"


def _queue(app):
    return database._write_queue(app.engine.url.database)


def _insert_widget(session, name: str) -> None:
    session.execute(insert(widget_service.widgets).values(name=name, branch_code="KC-BINJAI"))


def test_every_end_of_a_write_transaction_hands_the_queue_on(app):
    with app.session_factory() as session, session.begin():
        _insert_widget(session, "committed")
        assert _queue(app).locked(), "a write transaction holds the queue"
    assert not _queue(app).locked(), "after a commit"

    with app.session_factory() as session:
        session.begin()
        _insert_widget(session, "rolled-back")
        session.rollback()
    assert not _queue(app).locked(), "after a rollback"

    with pytest.raises(RuntimeError):
        with app.session_factory() as session, session.begin():
            _insert_widget(session, "failed")
            raise RuntimeError("the use case fails")
    assert not _queue(app).locked(), "after an exception"

    session = app.session_factory()
    _insert_widget(session, "left-open")
    session.close()
    assert not _queue(app).locked(), "after a close without commit"

    with app.engine.connect() as connection:  # a read takes no write lock and no place in the queue
        with connection.execution_options(**{database.READ_ONLY: True}).begin():
            assert not _queue(app).locked()

    with app.read_session() as session:
        names = list(session.execute(select(widget_service.widgets.c.name)).scalars())
    assert names == ["committed"]


def test_a_writer_waits_in_the_queue_until_the_holder_commits(app):
    holder = app.session_factory()
    holder.begin()
    _insert_widget(holder, "holder")
    done = threading.Event()

    def write():
        with app.session_factory() as session, session.begin():
            _insert_widget(session, "waiter")
        done.set()

    waiter = threading.Thread(target=write, daemon=True)
    waiter.start()
    assert not done.wait(0.3), "the second writer waits while the first holds the write lock"
    holder.commit()
    holder.close()
    assert done.wait(10)
    waiter.join(10)
    with app.read_session() as session:
        names = list(session.execute(select(widget_service.widgets.c.name).order_by(widget_service.widgets.c.id)).scalars())
    assert names == ["holder", "waiter"]


def test_a_queue_never_released_is_taken_over_and_heals(app, monkeypatch):
    monkeypatch.setattr(database, "WRITE_QUEUE_TIMEOUT_SECONDS", 0.1)
    assert _queue(app).acquire(blocking=False)  # a holder that will never let go
    with app.session_factory() as session, session.begin():
        _insert_widget(session, "after-the-wait")
    assert not _queue(app).locked(), "the writer that took it over released it"
    with app.session_factory() as session, session.begin():
        _insert_widget(session, "at-once")
    with app.read_session() as session:
        assert len(session.execute(select(widget_service.widgets.c.id)).all()) == 2
