"""How every welfare RPC runs: authorise (O-3, and the office level a step belongs to)
before the request is read, map the request to a command (bad input is INVALID_ARGUMENT
naming the request's field), run the use case (a mutation in one idempotent transaction
whose stored answer is the response), map the result back.

    return self.rpc.mutate(request, ApproveResponse, A.APPROVE_APPLICATION,
                           mapping.step, self.uc.approve, mapping.approve_response)
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.chassis.context import current_principal
from services.chassis.errors import PermissionDenied
from services.chassis.roles import describe
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.domain.roles import WelfareAction

C = TypeVar("C")
R = TypeVar("R")
ResponseT = TypeVar("ResponseT", bound=Message)


class Rpc:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def authorise(self, action: WelfareAction, office_level: str | None = None, rule_id: str | None = None
                  ) -> BranchScope:
        """O-3, and for a step a rule gives one level of office (the region determines and
        transfers a PUMP, W-P-3, W-P-4; the branch signs), that level, refused naming the rule."""
        principal = current_principal()
        if office_level is not None and not principal.is_service and principal.office_level != office_level:
            raise PermissionDenied(f"{rule_id}: {describe(action)} is a step of the {office_level.lower()} office; "
                                   f"{principal.office_code} is a {principal.office_level.lower()} office")
        return self.ctx.authorise(action)

    def mutate(self, request: Any, response_cls: type[ResponseT], action: WelfareAction,
               decode: Callable[[Any], C], use_case: Callable[[UnitOfWork, BranchScope, C], R],
               encode: Callable[[R], ResponseT], *, office_level: str | None = None,
               rule_id: str | None = None) -> ResponseT:
        scope = self.authorise(action, office_level, rule_id)
        command = decode(request)
        return self.ctx.base.mutation(request, response_cls, lambda uow: encode(use_case(uow, scope, command)))

    def read(self, request: Any, action: WelfareAction, decode: Callable[[Any], C],
             query: Callable[[Session, BranchScope, C], R], encode: Callable[[R], ResponseT]) -> ResponseT:
        scope = self.authorise(action)
        command = decode(request)
        with self.ctx.base.read_session() as session:
            result = query(session, scope, command)
            return encode(result)
