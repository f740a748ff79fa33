"""Raw bytes that are no message at all, sent with a valid token to every RPC.

Target: INVALID_ARGUMENT (never INTERNAL or UNKNOWN), nothing answered, nothing written.
A client stream is read by its handler, which may refuse its caller (PERMISSION_DENIED)
before reading the first message; that refusal is accepted too.
A known field sent with another valid wire type is legal protobuf (an unknown field): it
may be accepted or refused, but never with INTERNAL or UNKNOWN.
"""
from __future__ import annotations

import grpc
import pytest

from tests.reliability.rpc_catalogue import ALL_RPCS
from tests.reliability.tokens import user_token
from tests.reliability.wire_bodies import mismatched_wire_type, undecodable_bodies

CALLERS = {"head-office-admin": ("KP", "HEAD_OFFICE_ADMIN"), "binjai-admin": ("KC-BINJAI", "ADMINISTRATION_OFFICER")}
BROKEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}


def _cases():
    for rpc in ALL_RPCS:
        # A unary body is refused before any handler runs, whoever calls: one caller is
        # enough there. A client stream's handler reads it, and may refuse its caller first.
        callers = CALLERS if rpc.client_streaming else ["binjai-admin"]
        for case, body in undecodable_bodies(rpc.input).items():
            for caller in callers:
                yield pytest.param(rpc, body, caller, id=f"{rpc.id}-{case}-{caller}")


@pytest.mark.parametrize(("rpc", "body", "caller"), list(_cases()))
def test_an_undecodable_body_is_invalid_argument(platform, rpc, body, caller):
    running = platform[rpc.service]
    before = running.rows.snapshot()
    outcome = running.call(rpc, body, user_token(*CALLERS[caller]))
    assert outcome.code not in BROKEN, str(outcome)
    expected = {grpc.StatusCode.INVALID_ARGUMENT}
    if rpc.client_streaming:
        expected.add(grpc.StatusCode.PERMISSION_DENIED)
    assert outcome.code in expected, str(outcome)
    assert outcome.responses == []
    assert running.rows.written_since(before) == {}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("rpc", [pytest.param(rpc, id=rpc.id) for rpc in ALL_RPCS])
def test_a_field_with_a_mismatched_wire_type_is_never_an_internal_error(platform, rpc, caller):
    running = platform[rpc.service]
    before = running.rows.snapshot()
    outcome = running.call(rpc, mismatched_wire_type(rpc.input), user_token(*CALLERS[caller]))
    assert outcome.code not in BROKEN, str(outcome)
    if outcome.code != grpc.StatusCode.OK:
        assert running.rows.written_since(before) == {}
