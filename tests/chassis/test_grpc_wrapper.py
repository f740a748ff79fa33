"""The one gRPC wrapper: authentication, error mapping, metrics, idempotent retries."""
from __future__ import annotations

import urllib.request

import grpc
import jwt
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET
from tests.chassis.widget_service import call


def _code(exc_info) -> grpc.StatusCode:
    return exc_info.value.code()


class TestAuthentication:
    def test_missing_token_is_unauthenticated(self, widget_channel):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", None, request_id="r1", name="a")
        assert _code(err) == grpc.StatusCode.UNAUTHENTICATED

    def test_expired_token_is_unauthenticated(self, widget_channel):
        token = mint_token(user_id="u", office_code="KP", office_level="HEAD", roles=["X"], secret=DEV_JWT_SECRET, ttl_seconds=-10)
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", token, request_id="r1", name="a")
        assert _code(err) == grpc.StatusCode.UNAUTHENTICATED
        assert "expired" in err.value.details()

    def test_forged_token_is_unauthenticated(self, widget_channel):
        token = mint_token(user_id="u", office_code="KP", office_level="HEAD", roles=["X"], secret="not-the-secret-but-long-enough-for-hs256")
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", token, request_id="r1", name="a")
        assert _code(err) == grpc.StatusCode.UNAUTHENTICATED

    def test_unsigned_token_is_unauthenticated(self, widget_channel):
        token = jwt.encode({"sub": "u", "office": "KP", "office_level": "HEAD", "roles": [], "exp": 9999999999, "iss": "jamsos"}, None, algorithm="none")
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", token, request_id="r1", name="a")
        assert _code(err) == grpc.StatusCode.UNAUTHENTICATED

    def test_health_needs_no_token(self, widget_channel):
        response = health_pb2_grpc.HealthStub(widget_channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


class TestErrorMapping:
    def test_rule_violation_is_failed_precondition_naming_the_rule(self, widget_channel, branch_token):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Fail", branch_token, kind="rule")
        assert _code(err) == grpc.StatusCode.FAILED_PRECONDITION
        status = rpc_status.from_call(err.value)
        info = error_details_pb2.ErrorInfo()
        assert status.details[0].Unpack(info)
        assert info.reason == "B-JHT-1"

    def test_bad_input_is_invalid_argument_with_field_violation(self, widget_channel, branch_token):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Fail", branch_token, kind="field")
        assert _code(err) == grpc.StatusCode.INVALID_ARGUMENT
        bad_request = error_details_pb2.BadRequest()
        assert rpc_status.from_call(err.value).details[0].Unpack(bad_request)
        assert [(v.field, v.description) for v in bad_request.field_violations] == [("nik", "must be 16 digits")]

    def test_unexpected_error_is_internal_without_leaking_details(self, widget_channel, branch_token):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Fail", branch_token, kind="crash")
        assert _code(err) == grpc.StatusCode.INTERNAL
        assert "boom" not in err.value.details()


class TestIdempotency:
    def test_retried_request_id_returns_the_first_result_and_changes_nothing_twice(self, widget_runtime, widget_channel, branch_token):
        first = call(widget_channel, "Create", branch_token, request_id="req-1", name="alpha")
        again = call(widget_channel, "Create", branch_token, request_id="req-1", name="alpha")
        assert again == first
        assert widget_runtime.app.count() == 1

    def test_request_id_reused_for_another_request_is_refused(self, widget_channel, branch_token):
        call(widget_channel, "Create", branch_token, request_id="req-2", name="alpha")
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", branch_token, request_id="req-2", name="beta")
        assert _code(err) == grpc.StatusCode.INVALID_ARGUMENT

    def test_missing_request_id_is_invalid_argument(self, widget_channel, branch_token):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", branch_token, name="alpha")
        assert _code(err) == grpc.StatusCode.INVALID_ARGUMENT
        assert "request_id" in err.value.details()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_endpoint_shows_grpc_counters_after_calls(widget_runtime, widget_channel, branch_token):
    call(widget_channel, "Create", branch_token, request_id="m-1", name="alpha")
    with pytest.raises(grpc.RpcError):
        call(widget_channel, "Fail", branch_token, kind="rule")
    body = urllib.request.urlopen(f"http://127.0.0.1:{widget_runtime.http.port}/metrics", timeout=5).read().decode()
    assert 'grpc_server_handled_total{grpc_code="OK",grpc_method="Create",grpc_service="jamsos.testing.Widgets",grpc_type="unary"}' in body
    assert 'grpc_code="FAILED_PRECONDITION",grpc_method="Fail"' in body
    assert "grpc_server_handling_seconds_bucket" in body
    assert "grpc_server_started_total" in body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_readyz_reports_database_and_broker(widget_runtime):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{widget_runtime.http.port}/readyz", timeout=5)
        ready = True
    except urllib.error.HTTPError as exc:
        ready = False
        body = exc.read().decode()
    # The widget runtime points at no broker (port 1): not ready, and it says why.
    assert not ready
    assert '"database": true' in body and '"broker": false' in body


def test_concurrent_retries_of_one_request_id_run_the_use_case_once(widget_runtime, widget_channel, branch_token):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: call(widget_channel, "Create", branch_token, request_id="race-1", name="raced"), range(6)))
    assert all(a == answers[0] for a in answers)
    assert widget_runtime.app.count() == 1
