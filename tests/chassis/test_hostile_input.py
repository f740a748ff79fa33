"""Hostile input at the edge: undecodable bodies, oversized echoes, numbers the database
cannot hold. None of it may answer INTERNAL, and a reply stays small whatever was sent."""
from __future__ import annotations

import logging
import sqlite3

import grpc
import pytest
from google.rpc import error_details_pb2
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DataError, OperationalError

from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.grpc_errors import to_status
from tests.chassis.test_service_identity_and_replays import user_token
from tests.chassis.widget_service import SERVICE, call

GARBAGE = {
    "random bytes": bytes(range(256)) * 3,
    "huge length prefix": b"\x0a\xff\xff\xff\xff\x0f",
    "truncated tag": b"\x0a\x05ab",
    "invalid utf-8 in a string": b"\x0a\x08\x0a\x01k\x12\x03\x1a\x01\xff",
    "a megabyte of zeros": b"\x00" * (1 << 20),
    "endless varint": b"\x08" + b"\xff" * 10,
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_an_undecodable_body_is_invalid_argument_with_one_warning(widget_channel, caplog, body):
    raw = widget_channel.unary_unary(f"/{SERVICE}/Create")
    with caplog.at_level(logging.WARNING), pytest.raises(grpc.RpcError) as err:
        raw(body, metadata=[("authorization", f"Bearer {user_token()}")], timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len([r for r in caplog.records if r.getMessage() == "undecodable request body"]) == 1


def test_a_field_of_the_wrong_wire_type_is_kept_as_unknown_and_the_request_judged_on_the_rest(widget_channel):
    raw = widget_channel.unary_unary(f"/{SERVICE}/Create")
    with pytest.raises(grpc.RpcError) as err:
        raw(b"\x0d\x00\x00\x00\x00", metadata=[("authorization", f"Bearer {user_token()}")], timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # the name is missing


def test_an_undecodable_body_without_a_token_is_unauthenticated(widget_channel):
    with pytest.raises(grpc.RpcError) as err:
        widget_channel.unary_unary(f"/{SERVICE}/Create")(b"\xff\xff", timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


class TestRepliesEchoLittle:
    """The edge refuses long and control-laden strings; behind it, every reply is still
    bounded and escaped, whatever a use case put into its error."""

    def test_a_huge_id_is_echoed_as_a_short_prefix(self):
        code, status = to_status(NotFound("worker", "9" * 10_000))
        assert code == grpc.StatusCode.NOT_FOUND
        assert len(status.SerializeToString()) < 1000 and "(10000 characters)" in status.message

    def test_control_characters_are_escaped(self):
        _code, status = to_status(InvalidArgument.field("kpj\x00", "12\u202e34\x0056 is not a KPJ"))
        text = status.SerializeToString().decode("utf-8", "replace")
        assert "\u202e" not in text and "\x00" not in text and "\\u202e" in status.message

    def test_a_long_message_is_cut(self):
        _code, status = to_status(RuleViolation("C-7", "x" * 100_000))
        assert len(status.SerializeToString()) < 2000

    def test_not_found_over_the_wire_stays_small(self, widget_channel):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Fail", user_token(), kind="not_found", key="9" * 190)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and len(err.value.details()) < 150

    def test_a_huge_field_value_is_refused_without_echoing_it(self, widget_channel):
        with pytest.raises(grpc.RpcError) as err:
            call(widget_channel, "Create", user_token(), request_id="r", name="x" * 10_000)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "x" * 100 not in err.value.details()


def _violations(status) -> list:
    found = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += bad.field_violations
    return found


class TestNumbersTheDatabaseCannotHold:
    def test_sqlite_integer_overflow_is_invalid_argument_not_unavailable(self, tmp_path):
        engine = create_engine(f"sqlite:///{tmp_path}/o.db")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (v INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (9223372036854775807), (1)"))
            with pytest.raises(OperationalError) as err:
                connection.execute(text("SELECT SUM(v) FROM t")).scalar_one()
        code, status = to_status(err.value)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and _violations(status)

    def test_a_data_error_is_invalid_argument(self):
        code, _status = to_status(DataError("INSERT", {}, Exception("numeric value out of range")))
        assert code == grpc.StatusCode.INVALID_ARGUMENT

    def test_a_driver_refusing_a_big_int_is_invalid_argument(self):
        with pytest.raises(OverflowError) as err:
            sqlite3.connect(":memory:").execute("SELECT ?", (2**70,))
        assert to_status(err.value)[0] == grpc.StatusCode.INVALID_ARGUMENT

    def test_a_lost_connection_is_still_unavailable(self):
        exc = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        assert to_status(exc)[0] == grpc.StatusCode.UNAVAILABLE
