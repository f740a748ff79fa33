"""Property: whatever well-formed request a caller sends, the service never fails inside.

For every RPC, requests built from its input type's descriptor (message_strategies.py)
are sent as a few real users, on services holding one member (so some requests name
records that exist). The answer is never INTERNAL or UNKNOWN, never UNAVAILABLE (the
database is up), never a reply too big to receive, never a hang (DEADLINE_EXCEEDED);
and a request that is refused writes no row.

Examples per RPC: JAMSOS_FUZZ_EXAMPLES (default 4; `make reliability` runs 200).
The run is derandomised (the same examples every time) unless JAMSOS_FUZZ_RANDOM=1;
shrinking is on only with JAMSOS_FUZZ_SHRINK=1, so a failing default run stays quick.
"""
from __future__ import annotations

import os

import grpc
import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.reliability.message_strategies import FUZZ_NIK, KPJS, NPPS, requests
from tests.reliability.rpc_catalogue import rpc_params
from tests.reliability.seed_data import contributions_member, membership_member
from tests.reliability.tokens import user_token

EXAMPLES = int(os.environ.get("JAMSOS_FUZZ_EXAMPLES", "4"))
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target] + (
    [Phase.shrink] if os.environ.get("JAMSOS_FUZZ_SHRINK") == "1" else [])
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("JAMSOS_FUZZ_RANDOM") != "1",
    database=None,
    phases=PHASES,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
CALLERS = (
    ("KP", "HEAD_OFFICE_ADMIN"),
    ("KW-SUMBAGUT", "REGIONAL_OFFICER"),
    ("KC-BINJAI", "ADMINISTRATION_OFFICER"),
    ("KC-BINJAI", "MARKETING_OFFICER"),
    ("KC-BINJAI", "FINANCE_OFFICER"),
)
# UNAVAILABLE is what a database error maps to; the database never goes away here, so
# it would mean a request broke a query (an overflow, a too-long value) and was misreported.
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
         grpc.StatusCode.UNAVAILABLE}
TOO_BIG = "larger than max"


@pytest.fixture(scope="module", autouse=True)
def members(platform):
    """A KC-BINJAI employer and worker (with a card and a bill) whose numbers the strategies
    draw, so requests can reach the use cases and not only the validation."""
    member = membership_member(platform["membership"], nik=FUZZ_NIK)
    assert (member.npp, member.kpj) == (NPPS[0], KPJS[0]), "a fresh database issues these numbers first"
    return member, contributions_member(platform["contributions"], member.npp, member.kpj)


def shown(messages) -> str:
    return " | ".join(text_format.MessageToString(m, as_one_line=True)[:2000] for m in messages)


@pytest.mark.parametrize("rpc", rpc_params())
@FUZZ
@given(data=st.data())
def test_no_request_makes_a_service_fail_inside(platform, rpc, data):
    running = platform[rpc.service]
    caller = data.draw(st.sampled_from(CALLERS), label="caller")
    messages = data.draw(requests(rpc.input, rpc.client_streaming), label="request")
    before = running.rows.snapshot()
    outcome = running.call_message(rpc, messages, user_token(*caller))
    context = f"{rpc.path} as {caller}: {outcome}\nrequest: {shown(messages)}"
    assert outcome.code not in NEVER, context
    assert not (outcome.code == grpc.StatusCode.RESOURCE_EXHAUSTED and TOO_BIG in outcome.details), context
    if outcome.code != grpc.StatusCode.OK:
        written = running.rows.written_since(before)
        assert written == {}, f"refused but wrote rows {written}: {context}"
