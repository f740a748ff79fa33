"""Production token mode (RS256), the development token command, and server reflection."""
from __future__ import annotations

import subprocess
import sys

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.chassis.auth import TokenVerifier, mint_token
from services.chassis.errors import Unauthenticated
from tests.chassis.widget_service import call


@pytest.fixture(scope="module")
def rsa_keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def test_production_mode_verifies_rs256_and_refuses_hs256_tokens(rsa_keys):
    private, public = rsa_keys
    verifier = TokenVerifier(public_key=public)
    good = mint_token(user_id="u", office_code="KC-MEDAN", office_level="BRANCH", roles=["FINANCE_OFFICER"], private_key=private)
    principal = verifier.verify(good)
    assert (principal.user_id, principal.office_code, principal.roles) == ("u", "KC-MEDAN", frozenset({"FINANCE_OFFICER"}))
    # A token signed with a shared secret must not pass where a public key is configured.
    hs = mint_token(user_id="u", office_code="KP", office_level="HEAD", roles=["X"], secret="x" * 40)
    with pytest.raises(Unauthenticated):
        verifier.verify(hs)


def test_a_cached_token_is_refused_from_the_instant_it_expires():
    """Verified tokens are cached, but never past their `exp`: then PyJWT decides again."""
    import time

    verifier = TokenVerifier(secret="s" * 40)
    token = mint_token(user_id="u", office_code="KC-MEDAN", office_level="BRANCH", roles=["FINANCE_OFFICER"],
                       secret="s" * 40, ttl_seconds=1)
    assert verifier.verify(token).user_id == "u"
    assert verifier.verify(token).user_id == "u"  # from the cache
    expires = int(time.time()) + 1  # mint_token: exp = now + ttl (whole seconds)
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def test_a_token_refused_once_is_refused_again_not_cached():
    verifier = TokenVerifier(secret="s" * 40)
    forged = mint_token(user_id="u", office_code="KP", office_level="HEAD", roles=["AUDITOR"], secret="x" * 40)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verifier.verify(forged)


def test_token_without_office_scope_is_refused():
    import jwt

    token = jwt.encode({"sub": "u", "exp": 9999999999, "iss": "jamsos", "roles": []}, "s" * 40, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="office"):
        TokenVerifier(secret="s" * 40).verify(token)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_documented_dev_token_command_mints_a_token_the_server_accepts(widget_channel):
    token = subprocess.run(
        [sys.executable, "-m", "services.chassis.devtoken", "--office", "KC-BINJAI", "--roles", "ADMINISTRATION_OFFICER"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert call(widget_channel, "Create", token, request_id="tok-1", name="made-with-cli").fields["name"].string_value == "made-with-cli"


def _devtoken(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.chassis.devtoken", *args], capture_output=True, text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_dev_token_command_mints_a_service_token_accepted_only_between_services(widget_channel):
    token = _devtoken("--service", "benefits").stdout.strip()
    assert call(widget_channel, "Internal", token)["user"] == "service:benefits"
    with pytest.raises(grpc.RpcError) as err:
        call(widget_channel, "Create", token, request_id="svc-1", name="x")
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_dev_token_command_refuses_a_reserved_role_in_a_user_token():
    result = _devtoken("--office", "KC-BINJAI", "--roles", "SERVICE")
    assert result.returncode != 0 and "reserved" in result.stderr and not result.stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_server_reflection_lists_the_services_without_a_token(widget_channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(widget_channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"jamsos.testing.Widgets", "grpc.health.v1.Health"} <= names
