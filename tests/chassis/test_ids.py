"""Time-ordered ids (UUIDv7): the canonical text, version and variant, in order within a millisecond."""
from __future__ import annotations

import time
import uuid

from services.chassis.ids import uuid7


def test_an_id_is_a_canonical_version_7_uuid_of_now():
    before_ms = time.time_ns() // 1_000_000
    text = uuid7()
    parsed = uuid.UUID(text)
    assert str(parsed) == text  # lower-case hex, dashes where RFC 9562 puts them
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert before_ms <= parsed.int >> 80 <= time.time_ns() // 1_000_000 + 1


def test_ids_made_in_a_burst_are_unique_and_sort_in_the_order_made():
    ids = [uuid7() for _ in range(20_000)]  # many within one millisecond: the counter orders them
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
