"""Office tree use cases (O-1): list, change (head office), seed the embedded default."""
from __future__ import annotations

from jamsos.membership.v1 import events_pb2, offices_pb2
from services.chassis.config import topic_of
from services.chassis.context import HEAD, current_principal
from services.chassis.errors import PermissionDenied
from services.membership.adapters.office_directory import add_offices, has_offices, load_tree, office_values, put_office
from services.membership.application.context import MembershipContext
from services.membership.domain.offices import DEFAULT_OFFICES, Office, OfficeLevel, OfficeTree
from services.membership.domain.roles import MembershipAction

LEVEL_TO_PROTO = {
    OfficeLevel.HEAD: offices_pb2.OFFICE_LEVEL_HEAD,
    OfficeLevel.REGIONAL: offices_pb2.OFFICE_LEVEL_REGIONAL,
    OfficeLevel.BRANCH: offices_pb2.OFFICE_LEVEL_BRANCH,
}
PROTO_TO_LEVEL = {v: k for k, v in LEVEL_TO_PROTO.items()}
TREE_AGGREGATE = "office-tree"


def office_to_proto(office: Office) -> offices_pb2.Office:
    return offices_pb2.Office(
        code=office.code, name=office.name, level=LEVEL_TO_PROTO[office.level],
        parent_code=office.parent_code or "", branch_class=office.branch_class or 0,
    )


class OfficeUseCases:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def list_offices(self) -> list[Office]:
        self.ctx.authorise(MembershipAction.READ)
        return list(self.ctx.directory.tree().offices)

    def upsert_office(self, request: offices_pb2.UpsertOfficeRequest) -> offices_pb2.UpsertOfficeResponse:
        self.ctx.authorise(MembershipAction.MANAGE_OFFICES)
        caller = current_principal()
        if caller.office_level != HEAD and not caller.is_service:
            raise PermissionDenied("O-1: only the head office changes the office tree")
        o = request.office
        office = Office(
            code=o.code.strip(), name=o.name.strip(), level=PROTO_TO_LEVEL.get(o.level, "UNSPECIFIED"),
            parent_code=o.parent_code or None, branch_class=o.branch_class or None,
        )

        def use_case(uow):
            tree = load_tree(uow.session)
            others = [x for x in tree.offices if x.code != office.code]
            new_tree = OfficeTree([*others, office])  # validates the whole tree (O-1)
            put_office(uow.session, office)
            self._emit_tree(uow, new_tree)
            uow.audit("office.upsert", office.code, office_values(office))
            return offices_pb2.UpsertOfficeResponse(office=office_to_proto(office))

        response = self.ctx.base.mutate("OfficeService/UpsertOffice", request, offices_pb2.UpsertOfficeResponse, use_case)
        self.ctx.directory.invalidate()
        return response

    def seed_default_if_empty(self) -> bool:
        """Embedded default: an empty database gets the seed tree (and publishes it)."""
        with self.ctx.base.unit_of_work() as uow:
            if has_offices(uow.session):
                return False
            tree = OfficeTree(DEFAULT_OFFICES)
            add_offices(uow.session, tree.offices)
            self._emit_tree(uow, tree)
            uow.commit()
        self.ctx.directory.invalidate()
        return True

    @staticmethod
    def _emit_tree(uow, tree: OfficeTree) -> None:
        uow.emit(
            topic_of("membership"),
            events_pb2.OfficeTreeChanged(offices=[office_to_proto(o) for o in tree.offices]),
            aggregate_type="office_tree", aggregate_id=TREE_AGGREGATE, branch_code=tree.head.code,
        )


def build(ctx: MembershipContext) -> OfficeUseCases:
    """The office component; an empty database gets the embedded default tree."""
    use_cases = OfficeUseCases(ctx)
    use_cases.seed_default_if_empty()
    return use_cases
