"""Every RPC of every service refuses every bad credential, answers nothing and writes nothing.

Each call sends the method's empty request (one empty message for a client stream) and
counts the messages that come back; the row count of every table is compared before
and after (audit rows "access.*" excepted: refused attempts are audited).
"""
from __future__ import annotations

import grpc
import pytest

from tests.reliability.rpc_catalogue import rpc_params
from tests.reliability.tokens import NO_ROLE_TOKENS, UNAUTHENTICATED_TOKENS, service_token

REFUSED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


def refused_call(platform, rpc, token):
    running = platform[rpc.service]
    before = running.rows.snapshot()
    outcome = running.call(rpc, rpc.empty_request(), token)
    return outcome, running.rows.written_since(before)


@pytest.mark.parametrize("credential", list(UNAUTHENTICATED_TOKENS))
@pytest.mark.parametrize("rpc", rpc_params())
def test_a_bad_credential_is_unauthenticated(platform, rpc, credential):
    outcome, written = refused_call(platform, rpc, UNAUTHENTICATED_TOKENS[credential]())
    assert outcome.code == grpc.StatusCode.UNAUTHENTICATED, str(outcome)
    assert outcome.responses == [], "a refused call answered with data"
    assert written == {}, f"a refused call wrote rows: {written}"


@pytest.mark.rule("O-3")
@pytest.mark.parametrize("credential", list(NO_ROLE_TOKENS))
@pytest.mark.parametrize("rpc", rpc_params())
def test_a_caller_without_an_o3_role_is_refused(platform, rpc, credential):
    outcome, written = refused_call(platform, rpc, NO_ROLE_TOKENS[credential]())
    assert outcome.code in REFUSED, str(outcome)
    assert outcome.responses == [], "a refused call answered with data"
    assert written == {}, f"a refused call wrote rows: {written}"


@pytest.mark.parametrize("rpc", rpc_params())
def test_a_service_token_is_accepted_only_by_the_service_methods(platform, rpc):
    running = platform[rpc.service]
    token = service_token("benefits")
    if rpc.path in running.service_methods:
        outcome = running.call(rpc, rpc.empty_request(), token)
        assert outcome.code not in REFUSED, f"{rpc.path} is a service method but refused a valid service token: {outcome}"
        return
    outcome, written = refused_call(platform, rpc, token)
    assert outcome.code == grpc.StatusCode.PERMISSION_DENIED, str(outcome)
    assert outcome.responses == [], "a refused call answered with data"
    assert written == {}, f"a refused call wrote rows: {written}"
