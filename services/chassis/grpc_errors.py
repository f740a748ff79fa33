"""The one mapping from domain errors to gRPC status codes with rich details.

INVALID_ARGUMENT carries google.rpc.BadRequest field violations; FAILED_PRECONDITION
carries google.rpc.ErrorInfo whose `reason` is the rule id (e.g. `B-JHT-1`), with the
violation's own code in `metadata["code"]` when it has one (e.g. `SAME_PERSON`), and a
PreconditionFailure naming both, so clients can branch on the rule without parsing text.
"""
from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from . import errors
from .errors import shown

ERROR_DOMAIN = "jamsos.go.id"
# Replies stay far below a client's 16 KiB metadata limit whatever the request held.
MAX_MESSAGE = 400
MAX_DETAIL = 200
OUT_OF_RANGE = "a value is outside the range the platform stores"


class TooManyStreams(Exception):
    """A stream refused while the server has its most streams open (interceptor.py)."""


def to_status(exc: BaseException) -> tuple[grpc.StatusCode, status_pb2.Status]:
    code, message, details = _classify(exc)
    status = status_pb2.Status(code=code.value[0], message=shown(message, MAX_MESSAGE))
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return code, status


def _classify(exc: BaseException) -> tuple[grpc.StatusCode, str, list[Message]]:
    if isinstance(exc, errors.InvalidArgument):
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=shown(v.field, MAX_DETAIL), description=shown(v.reason, MAX_DETAIL))
                for v in exc.violations[:20]
            ]
        )
        return grpc.StatusCode.INVALID_ARGUMENT, exc.message, [bad_request]
    if isinstance(exc, errors.RuleViolation):
        metadata = {"rule_id": exc.rule_id, **({"code": exc.code} if exc.code else {})}
        info = error_details_pb2.ErrorInfo(reason=exc.rule_id, domain=ERROR_DOMAIN, metadata=metadata)
        failure = error_details_pb2.PreconditionFailure(violations=[error_details_pb2.PreconditionFailure.Violation(
            type=exc.code or "RULE", subject=exc.rule_id, description=shown(exc.reason, MAX_MESSAGE))])
        return grpc.StatusCode.FAILED_PRECONDITION, exc.message, [info, failure]
    if isinstance(exc, errors.NotFound):
        return grpc.StatusCode.NOT_FOUND, exc.message, [error_details_pb2.ResourceInfo(resource_type=exc.kind, resource_name=exc.key)]
    if isinstance(exc, errors.AlreadyExists):
        return grpc.StatusCode.ALREADY_EXISTS, exc.message, [error_details_pb2.ResourceInfo(resource_type=exc.kind, resource_name=exc.key)]
    if isinstance(exc, errors.PermissionDenied):
        return grpc.StatusCode.PERMISSION_DENIED, exc.message, []
    if isinstance(exc, errors.Unauthenticated):
        return grpc.StatusCode.UNAUTHENTICATED, exc.message, []
    if isinstance(exc, errors.Conflict):
        return grpc.StatusCode.ABORTED, exc.message, []
    if isinstance(exc, TooManyStreams):
        return grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc), []
    if _is_out_of_range(exc):
        violation = error_details_pb2.BadRequest.FieldViolation(field="request", description=OUT_OF_RANGE)
        return grpc.StatusCode.INVALID_ARGUMENT, OUT_OF_RANGE, [error_details_pb2.BadRequest(field_violations=[violation])]
    if isinstance(exc, IntegrityError):
        return grpc.StatusCode.ABORTED, "the change conflicted with a concurrent one; retry with the same request id", []
    if isinstance(exc, OperationalError):
        return grpc.StatusCode.UNAVAILABLE, "the database is unavailable; retry later", []
    return grpc.StatusCode.INTERNAL, "internal error", []


def _is_out_of_range(exc: BaseException) -> bool:
    """A number the database cannot hold: PostgreSQL's data exceptions (SQLSTATE class 22),
    SQLite's "integer overflow" (an OperationalError there), a driver refusing a big int."""
    if isinstance(exc, (DataError, OverflowError)):
        return True
    return isinstance(exc, OperationalError) and "integer overflow" in str(exc.orig)


assert code_pb2.INVALID_ARGUMENT == grpc.StatusCode.INVALID_ARGUMENT.value[0]
