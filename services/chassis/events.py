"""Building and reading event envelopes (jamsos.common.v1.EventEnvelope)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.any_pb2 import Any as AnyMessage
from google.protobuf.message import Message

from jamsos.common.v1 import envelope_pb2

from . import context
from .ids import uuid7


@dataclass(frozen=True)
class PendingEvent:
    """An event to be written to the outbox with the transaction that caused it."""

    topic: str
    envelope: envelope_pb2.EventEnvelope

    @property
    def key(self) -> str:
        return self.envelope.aggregate_id


def make_envelope(
    payload: Message,
    *,
    aggregate_type: str,
    aggregate_id: str,
    branch_code: str,
    producer: str,
    occurred_at: datetime | None = None,
) -> envelope_pb2.EventEnvelope:
    event_id = uuid7()
    envelope = envelope_pb2.EventEnvelope(
        event_id=event_id,
        event_type=payload.DESCRIPTOR.full_name,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        branch_code=branch_code,
        correlation_id=context.correlation_id() or event_id,
        causation_id=context.causation_id() or context.correlation_id() or event_id,
        producer=producer,
    )
    envelope.occurred_at.FromDatetime(occurred_at or datetime.now(UTC))
    any_payload = AnyMessage()
    any_payload.Pack(payload)
    envelope.payload.CopyFrom(any_payload)
    return envelope


def unpack_payload(envelope: envelope_pb2.EventEnvelope, message_cls: type[Message]) -> Message:
    message = message_cls()
    if not envelope.payload.Unpack(message):
        raise ValueError(f"payload is {envelope.payload.type_url}, expected {message_cls.DESCRIPTOR.full_name}")
    return message


def parse_envelope(raw: bytes) -> envelope_pb2.EventEnvelope:
    envelope = envelope_pb2.EventEnvelope()
    envelope.ParseFromString(raw)
    if not envelope.event_id or not envelope.event_type:
        raise ValueError("not an event envelope: event_id and event_type are required")
    return envelope
