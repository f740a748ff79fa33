"""A tiny service built on the chassis, for the chassis's own tests.

It has one table and generic gRPC handlers on well-known types (Struct), so the tests
exercise the real server, wrapper, unit of work, outbox and idempotency without
depending on any domain service.
"""
from __future__ import annotations

from pathlib import Path

import grpc
from google.protobuf import json_format, struct_pb2, wrappers_pb2
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from services.chassis import errors
from services.chassis.application import Application
from services.chassis.config import topic_of
from services.chassis.context import current_principal
from services.chassis.runtime import ServiceDefinition
from services.chassis.tables import add_platform_tables

SERVICE = "jamsos.testing.Widgets"
metadata = MetaData()
platform = add_platform_tables(metadata)
widgets = Table(
    "widgets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("branch_code", String(50), nullable=False),
)


def _struct(**values) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


class WidgetApp:
    def __init__(self, base: Application):
        self.base = base

    def create(self, request: struct_pb2.Struct) -> struct_pb2.Struct:
        fields = json_format.MessageToDict(request)
        if not fields.get("name"):
            raise errors.InvalidArgument.field("name", "required")

        def use_case(uow):
            branch = current_principal().office_code
            new_id = uow.session.execute(insert(widgets).values(name=fields["name"], branch_code=branch)).inserted_primary_key[0]
            uow.emit(topic_of("membership"), wrappers_pb2.StringValue(value=fields["name"]),
                     aggregate_type="widget", aggregate_id=str(new_id), branch_code=branch)
            return _struct(id=new_id, name=fields["name"])

        body = struct_pb2.Struct()
        body.CopyFrom(request)
        body.fields.pop("request_id", None)
        return self.base.mutate(f"{SERVICE}/Create", body, struct_pb2.Struct, use_case, request_id=fields.get("request_id", ""))

    def count(self) -> int:
        with self.base.read_session() as session:
            return session.execute(select(func.count()).select_from(widgets)).scalar_one()


def _fail(request: struct_pb2.Struct, _context) -> struct_pb2.Struct:
    kind = json_format.MessageToDict(request).get("kind")
    if kind == "rule":
        raise errors.RuleViolation("B-JHT-1", "member for less than 5 years")
    if kind == "field":
        raise errors.InvalidArgument.field("nik", "must be 16 digits")
    if kind == "not_found":
        raise errors.NotFound("worker", json_format.MessageToDict(request).get("key", "12345678901"))
    raise RuntimeError("boom")


def register(server: grpc.Server, app: WidgetApp) -> list[str]:
    def unary(fn):
        return grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=struct_pb2.Struct.FromString, response_serializer=struct_pb2.Struct.SerializeToString
        )

    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SERVICE, {"Create": unary(lambda r, c: app.create(r)), "Fail": unary(_fail),
                                                        "Internal": unary(_whoami), "WhoAmI": unary(_whoami)}),)
    )
    return [SERVICE]


def _whoami(_request, _context) -> struct_pb2.Struct:
    p = current_principal()
    return _struct(kind=p.kind, user=p.user_id, service=p.is_service)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="membership",  # reuse a real service name so Settings and topics resolve
        metadata=metadata,
        tables=platform,
        migrations=Path("unused"),
        make_application=lambda settings, base: WidgetApp(base),
        register=register,
        service_methods=frozenset({f"/{SERVICE}/Internal"}),
    )


def call(channel: grpc.Channel, method: str, token: str | None, **fields) -> struct_pb2.Struct:
    stub = channel.unary_unary(f"/{SERVICE}/{method}", request_serializer=struct_pb2.Struct.SerializeToString,
                               response_deserializer=struct_pb2.Struct.FromString)
    metadata = [("authorization", f"Bearer {token}")] if token else []
    return stub(_struct(**fields), metadata=metadata, timeout=10)
