"""Helpers for the event-flow tests: a tiny effect table, handlers, polling."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from google.protobuf import wrappers_pb2
from sqlalchemy import create_engine, func, insert, select

from services.chassis.application import Application
from services.chassis.consumer import ConsumerRunner, EventApplier, HandlerRegistry
from services.chassis.database import make_engine, make_session_factory
from services.chassis.kafka_clients import make_consumer, make_producer
from tests.chassis import widget_service


def make_application(database_url: str) -> Application:
    engine = make_engine(database_url)
    widget_service.metadata.create_all(engine)
    return Application("membership", engine, make_session_factory(engine), widget_service.platform)


def recording_registry(poison: str = "poison") -> HandlerRegistry:
    """Each StringValue event inserts one widget row; the value `poison` always fails."""

    def handle(uow, envelope, payload: wrappers_pb2.StringValue) -> None:
        if payload.value == poison:
            raise ValueError("cannot apply a poison event")
        uow.session.execute(insert(widget_service.widgets).values(name=payload.value, branch_code=envelope.branch_code))

    registry = HandlerRegistry()
    registry.on(wrappers_pb2.StringValue, handle)
    return registry


def effect_names(app: Application) -> list[str]:
    with app.read_session() as session:
        return list(session.execute(select(widget_service.widgets.c.name).order_by(widget_service.widgets.c.id)).scalars())


def outbox_unpublished(app: Application) -> int:
    outbox = app.tables["outbox"]
    with app.read_session() as session:
        return session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar_one()


def emit(app: Application, topic: str, value: str, aggregate_id: str = "agg-1", commit: bool = True) -> None:
    with app.unit_of_work() as uow:
        uow.emit(topic, wrappers_pb2.StringValue(value=value), aggregate_type="widget", aggregate_id=aggregate_id, branch_code="KC-BINJAI")
        if commit:
            uow.commit()


def start_runner(app: Application, bootstrap: str, topic: str, group: str, **kwargs) -> tuple[ConsumerRunner, threading.Event, threading.Thread]:
    applier = EventApplier(group, "membership", kwargs.pop("registry", None) or recording_registry(), app.unit_of_work)
    runner = ConsumerRunner(
        applier, [topic],
        lambda: make_consumer(bootstrap, group, [topic], group),
        lambda: make_producer(bootstrap, f"{group}-dlq"),
        **kwargs,
    )
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    return runner, stop, thread


def eventually(check: Callable[[], bool], timeout: float = 30.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class PausedConsumer:
    """Stands in the place of a consumer runner's applier: while paused, the event the runner
    was handed waits here unapplied (the runner takes no other meanwhile); resumed, each goes
    on to the real applier in the order the broker gave them."""

    def __init__(self, runner):
        self.runner, self.applier = runner, runner.applier
        self.name, self.service = self.applier.name, self.applier.service
        self.open = threading.Event()
        self.held: list[str] = []  # event types that reached the door while paused

    def pause(self) -> None:
        self.open.clear()
        self.runner.applier = self

    def resume(self) -> None:
        self.open.set()

    def apply(self, envelope, position=None) -> str:
        if not self.open.is_set():
            self.held.append(envelope.event_type.rsplit(".", 1)[-1])
            self.open.wait()
        return self.applier.apply(envelope, position)

    def apply_batch(self, items) -> list[str]:
        """A batch the runner hands over waits here whole, as one event does."""
        if not self.open.is_set():
            self.held.extend(envelope.event_type.rsplit(".", 1)[-1] for envelope, _ in items)
            self.open.wait()
        return self.applier.apply_batch(items)

    @property
    def registry(self):
        return self.applier.registry


__all__ = ["create_engine"]


class Acknowledged:
    """A send's future, already acknowledged at `offset` of partition 0."""

    def __init__(self, offset: int):
        self.partition, self.offset = 0, offset

    def get(self, timeout=None):
        return self


class BatchRecordingProducer:
    """A broker stand-in that acknowledges every send and records each flushed batch's size;
    `after_first_batch` is where a test makes commits arrive while the relay is busy."""

    def __init__(self, app: Application):
        self.app = app
        self.batches: list[int] = []
        self._sending = 0
        self._offset = -1

    def send(self, topic, key=None, value=None):
        self._sending += 1
        self._offset += 1
        return Acknowledged(self._offset)

    def flush(self, timeout=None):
        self.batches.append(self._sending)
        self._sending = 0
        if len(self.batches) == 1:
            self.after_first_batch()

    def after_first_batch(self) -> None:
        pass

    def close(self, timeout=None):
        pass
