"""Worker events reach Kafka through the outbox, keyed by KPJ and in order (M-3)."""
from __future__ import annotations

import time
from datetime import date

import grpc
import pytest
from kafka import KafkaConsumer
from sqlalchemy import select

from jamsos.membership.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.events import parse_envelope, unpack_payload
from services.membership.bootstrap import definition
from tests.membership.service.workers_fixtures import d, enrol, new_nik, register_employer
from tests.service_harness import Caller, start_service, token_for


def _outbox_event_ids(runtime, kpj: str) -> set[str]:
    """This service's events for `kpj`: the broker is shared by tests whose fresh databases
    issue the same first KPJs, so the key alone does not tell our events from theirs."""
    outbox = runtime.definition.tables["outbox"]
    with runtime.app.ctx.base.read_session() as session:
        return set(session.execute(select(outbox.c.event_id).where(outbox.c.message_key == kpj)).scalars())


def _events_of(bootstrap: str, kpj: str, event_ids: set[str], timeout: float = 30.0) -> list:
    """The envelopes with these ids on the membership topic, in topic order."""
    wanted = len(event_ids)
    consumer = KafkaConsumer(topic_of("membership"), bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    found, deadline = [], time.monotonic() + timeout
    try:
        while len(found) < wanted and time.monotonic() < deadline:
            for message in consumer:  # stops after 1 s without messages; the relay may still be on its way
                if message.key == kpj.encode():
                    envelope = parse_envelope(message.value)
                    if envelope.event_id in event_ids:
                        found.append(envelope)
    finally:
        consumer.close()
    return found


@pytest.mark.rule("M-3")
@pytest.mark.kafka
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_m3_enrolment_then_transfer_are_published_in_order_keyed_by_the_kpj(database_url, kafka_broker):
    runtime = start_service(definition(), database_url, kafka_broker.bootstrap_servers)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            def as_user(office, *roles, user=None):
                return Caller(channel, token_for(office, *roles, user=user))

            binjai, jaksel = register_employer(as_user), register_employer(as_user, "KC-JAKSEL")
            nik = new_nik()
            kpj = enrol(as_user, binjai, nik=nik).worker.kpj
            enrol(as_user, jaksel, office="KC-JAKSEL", nik=nik, start_date=d(date(2024, 1, 2)))
        envelopes = _events_of(kafka_broker.bootstrap_servers, kpj, _outbox_event_ids(runtime, kpj))
    finally:
        runtime.stop(grace=0)
    assert [e.event_type for e in envelopes] == ["jamsos.membership.v1.WorkerEnrolled", "jamsos.membership.v1.WorkerTransferred"]
    assert all(e.aggregate_type == "worker" and e.aggregate_id == kpj and e.producer == "membership" for e in envelopes)
    assert [e.branch_code for e in envelopes] == ["KC-BINJAI", "KC-JAKSEL"]
    enrolled = unpack_payload(envelopes[0], events_pb2.WorkerEnrolled)
    transferred = unpack_payload(envelopes[1], events_pb2.WorkerTransferred)
    assert enrolled.worker.kpj == kpj and enrolled.worker.npp == binjai
    assert (transferred.worker.npp, transferred.previous_npp, transferred.previous_branch_code, transferred.previous_end_date) == (
        jaksel, binjai, "KC-BINJAI", d(date(2024, 1, 1)))
    assert envelopes[0].event_id < envelopes[1].event_id  # UUIDv7: sortable
