"""Service identity is a credential of its own, and stored answers belong to their caller.

A user token cannot make itself a service by claiming a role; a service token is accepted
only on the methods declared for calls between services; a request id replayed by another
office is that office's own new request, never a window onto the first one's answer.
"""
from __future__ import annotations

import grpc
import pytest
from sqlalchemy import create_engine, func, select

from services.chassis import context
from services.chassis.auth import TokenVerifier, mint_service_token, mint_token
from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET
from services.chassis.errors import Unauthenticated
from tests.chassis.widget_service import call, platform


def user_token(office: str = "KC-BINJAI", *roles: str, user: str = "ani") -> str:
    level = "HEAD" if office == "KP" else "BRANCH"
    return mint_token(user_id=user, office_code=office, office_level=level, roles=roles or ("ADMINISTRATION_OFFICER",),
                      secret=DEV_JWT_SECRET)


def service_token(secret: str = DEV_SERVICE_JWT_SECRET) -> str:
    return mint_service_token("benefits", secret=secret)


def refused(channel, method: str, token: str, **fields) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        call(channel, method, token, **fields)
    return err.value


class TestServiceIdentity:
    @pytest.mark.parametrize("roles", [("SERVICE",), ("SERVICE", "ADMINISTRATION_OFFICER"), ("SYSTEM",)])
    def test_a_user_token_claiming_a_service_role_is_refused(self, widget_runtime, widget_channel, roles):
        error = refused(widget_channel, "Create", user_token("KC-BINJAI", *roles), request_id="r1", name="a")
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        assert refused(widget_channel, "Internal", user_token("KP", *roles)).code() == grpc.StatusCode.UNAUTHENTICATED
        assert widget_runtime.app.count() == 0

    def test_a_service_token_is_refused_on_a_user_rpc_and_writes_nothing(self, widget_runtime, widget_channel):
        error = refused(widget_channel, "Create", service_token(), request_id="r1", name="a")
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        assert widget_runtime.app.count() == 0

    def test_a_service_token_is_accepted_on_a_declared_service_method(self, widget_channel):
        answer = call(widget_channel, "Internal", service_token())
        assert answer["kind"] == context.SERVICE and answer["user"] == "service:benefits" and answer["service"]

    def test_a_user_is_not_a_service(self, widget_channel):
        answer = call(widget_channel, "WhoAmI", user_token("KP", "HEAD_OFFICE_ADMIN"))
        assert answer["kind"] == context.USER and not answer["service"]

    def test_a_service_token_signed_with_the_user_key_is_refused(self, widget_channel):
        error = refused(widget_channel, "Internal", service_token(secret=DEV_JWT_SECRET))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED

    def test_a_user_token_signed_with_the_service_key_is_refused(self, widget_channel):
        token = mint_token(user_id="x", office_code="KP", office_level="HEAD", roles=["HEAD_OFFICE_ADMIN"],
                           secret=DEV_SERVICE_JWT_SECRET)
        assert refused(widget_channel, "WhoAmI", token).code() == grpc.StatusCode.UNAUTHENTICATED

    def test_the_two_keys_must_differ(self):
        with pytest.raises(ValueError):
            TokenVerifier(secret=DEV_JWT_SECRET, service_secret=DEV_JWT_SECRET)

    def test_without_a_service_key_no_service_token_is_accepted(self):
        verifier = TokenVerifier(secret=DEV_JWT_SECRET)
        with pytest.raises(Unauthenticated):
            verifier.verify(service_token())

    def test_in_process_principals_are_system_and_come_from_no_token(self):
        assert context.SYSTEM.kind == context.SYSTEM_KIND and context.SYSTEM.is_service
        assert context.system_principal("consumer:x").roles == frozenset()


def _stored_answers(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(platform["idempotency"])).scalar_one()
    engine.dispose()
    return count


class TestRequestIdsBelongToTheirCaller:
    def test_another_office_replaying_a_request_id_gets_its_own_answer(self, widget_runtime, widget_channel):
        binjai = call(widget_channel, "Create", user_token("KC-BINJAI"), request_id="shared-id", name="a")
        jaksel = call(widget_channel, "Create", user_token("KC-JAKSEL"), request_id="shared-id", name="a")
        assert jaksel["id"] != binjai["id"]
        assert widget_runtime.app.count() == 2

    def test_another_user_of_the_same_office_replaying_gets_its_own_answer(self, widget_runtime, widget_channel):
        first = call(widget_channel, "Create", user_token("KC-BINJAI", user="ani"), request_id="r-1", name="a")
        second = call(widget_channel, "Create", user_token("KC-BINJAI", user="budi"), request_id="r-1", name="a")
        assert first["id"] != second["id"]

    def test_two_offices_choosing_the_same_id_for_different_requests_do_not_collide(self, widget_runtime, widget_channel):
        binjai = call(widget_channel, "Create", user_token("KC-BINJAI"), request_id="2026-12-01-1", name="binjai")
        jaksel = call(widget_channel, "Create", user_token("KC-JAKSEL"), request_id="2026-12-01-1", name="jaksel")
        assert (binjai["name"], jaksel["name"]) == ("binjai", "jaksel")
        assert _stored_answers(widget_runtime.settings.database_url) == 2

    def test_the_same_caller_retrying_gets_the_first_answer(self, widget_runtime, widget_channel):
        first = call(widget_channel, "Create", user_token(), request_id="r-2", name="a")
        again = call(widget_channel, "Create", user_token(), request_id="r-2", name="a")
        assert again == first and widget_runtime.app.count() == 1
