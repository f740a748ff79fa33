"""Replaying events into a running service's consumers, and snapshots of its whole database.

Events go through each consumer's own EventApplier (inbox included), as the consumer
runner applies them; no broker is needed. A snapshot is every row of every table the
service declares, sorted, so two snapshots compare whatever the row order.
"""
from __future__ import annotations

import dataclasses
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from google.protobuf.message import Message
from sqlalchemy import select

from jamsos.common.v1 import envelope_pb2
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.chassis.runtime import ConsumerSpec, ServiceDefinition, ServiceRuntime
from tests.service_harness import start_service

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_serial = itertools.count(1)


@dataclass(frozen=True)
class Ids:
    """Natural keys of one test, unique within a shared database: NPPs of 8 digits, KPJs of 11."""

    stem: int

    @classmethod
    def fresh(cls) -> Ids:
        return cls(uuid.uuid4().int % 100_000 * 100 + next(_serial) % 100)

    def npp(self, n: int = 1) -> str:
        return f"{n}{self.stem:07d}"

    def kpj(self, n: int = 1) -> str:
        return f"{n}{self.stem:010d}"


def redelivered(envelope: envelope_pb2.EventEnvelope) -> envelope_pb2.EventEnvelope:
    """The same payload re-sent by its producer: a new event id, everything else equal."""
    again = envelope_pb2.EventEnvelope()
    again.CopyFrom(envelope)
    again.event_id = str(uuid.uuid4())
    return again


def envelope_of(payload: Message, aggregate_id: str, producer: str, branch: str = "KC-BINJAI") -> envelope_pb2.EventEnvelope:
    return make_envelope(payload, aggregate_type="replay", aggregate_id=aggregate_id, branch_code=branch,
                         producer=producer)


def aggregate_id_of(payload: Message) -> str:
    """The key a producer would use: KPJ, NPP, table:key, the bill number or the office tree."""
    for path in (("kpj",), ("worker", "kpj"), ("employer", "npp"), ("bill_number",), ("npp",)):
        value: object = payload
        for name in path:
            value = getattr(value, name, "")
        if value:
            return str(value)
    if hasattr(payload, "table_name"):
        return f"{payload.table_name}:{payload.key}"
    return "office-tree"


def wired_for_a_broker(runtime: ServiceRuntime) -> object:
    """The service's application as a process with consumers builds it, on the same database.

    Test servers run without a broker, and a service may wire consumers only with one."""
    settings = dataclasses.replace(runtime.settings, consumers_enabled=True)
    return runtime.definition.make_application(settings, runtime.app.ctx.base)


def consumer_specs(runtime: ServiceRuntime, wired: object | None = None) -> list[ConsumerSpec]:
    """Every consumer of the service: as started here, and as a process with a broker has them."""
    specs = {spec.name: spec for spec in runtime.definition.consumers(runtime.app)}
    for spec in runtime.definition.consumers(wired or wired_for_a_broker(runtime)):
        specs.setdefault(spec.name, spec)
    return list(specs.values())


class Replayer:
    """Applies payloads or envelopes to the named consumer of a running service."""

    def __init__(self, runtime: ServiceRuntime, wired: object | None = None):
        self.runtime = runtime
        base = runtime.app.ctx.base
        self.appliers = {spec.name: EventApplier(spec.name, runtime.definition.name, spec.registry, base.unit_of_work)
                         for spec in consumer_specs(runtime, wired)}

    def consumer_of(self, payload: Message) -> str:
        [name] = [n for n, a in self.appliers.items() if a.registry.get(payload.DESCRIPTOR.full_name)] or [None]
        assert name is not None, f"no single consumer of {payload.DESCRIPTOR.full_name}"
        return name

    def apply(self, consumer: str, event: Message | envelope_pb2.EventEnvelope, producer: str = "membership") -> str:
        envelope = event if isinstance(event, envelope_pb2.EventEnvelope) else envelope_of(
            event, aggregate_id_of(event), producer)
        return self.appliers[consumer].apply(envelope)

    def feed(self, *payloads: Message, producer: str = "membership") -> list[str]:
        """Prerequisite events, each to the one consumer that handles its type."""
        return [self.apply(self.consumer_of(p), p, producer) for p in payloads]


Row = tuple
Snapshot = dict[str, list[Row]]


def snapshot(runtime: ServiceRuntime, exclude: frozenset[str] = frozenset(), volatile: frozenset[str] = frozenset()) -> Snapshot:
    """Every row of every table (columns named in `volatile` left out), sorted per table."""
    tables = [t for t in runtime.definition.metadata.sorted_tables if t.name not in exclude]
    with runtime.app.ctx.base.read_session() as session:
        found = {}
        for table in tables:
            columns = [c for c in table.columns if c.name not in volatile]
            rows = session.execute(select(*columns)).all()
            found[table.name] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
        return found


def _plain(value: object) -> object:
    return bytes(value) if isinstance(value, memoryview) else value


def inbox_rows(runtime: ServiceRuntime, event_id: str) -> list[Row]:
    inbox = runtime.definition.tables["inbox"]
    with runtime.app.ctx.base.read_session() as session:
        return [tuple(r) for r in session.execute(select(inbox).where(inbox.c.event_id == event_id)).all()]


def differences(before: Snapshot, after: Snapshot) -> dict[str, tuple[list[Row], list[Row]]]:
    """Per table that changed: (rows gone, rows new)."""
    changed = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            gone = [r for r in old if r not in new]
            added = [r for r in new if r not in old]
            changed[name] = (gone, added)
    return changed


def without_inbox_of(changes: dict, event_id: str) -> dict:
    """The changes, less the one inbox row the redelivery's new event id may add."""
    rest = dict(changes)
    if "inbox" in rest:
        gone, added = rest["inbox"]
        added = [r for r in added if event_id not in r]
        if gone or added:
            rest["inbox"] = (gone, added)
        else:
            del rest["inbox"]
    return rest


@contextmanager
def database(backend: str, request: pytest.FixtureRequest, tmp_path_factory, label: str) -> Iterator[str]:
    """A fresh, empty database URL of the backend (dropped afterwards on PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp(label)}/replay.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@contextmanager
def running(definition: Callable[[], ServiceDefinition], backend: str, request, tmp_path_factory) -> Iterator[ServiceRuntime]:
    with database(backend, request, tmp_path_factory, definition().name) as url:
        runtime = start_service(definition(), url)
        try:
            yield runtime
        finally:
            runtime.stop(grace=0)
