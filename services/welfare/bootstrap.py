"""Wiring of the welfare service on the service kit: the office replica behind the branch
scope, welfare's action table, its rule tables and a replica of contributions' (the UMK),
and its components: the read model of other services' events, the rule tables, the
regional funds, loans, cooperative and partnership loan applications, scholarships, PUMP,
and the payment orders paid through the bank's files."""
from __future__ import annotations

from services.chassis.application import Application
from services.chassis.components import ComponentApp, component_service
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.chassis.service_context import ServiceContext
from services.welfare.adapters.tables import contributions_rules, metadata, offices, platform
from services.welfare.domain.roles import ACTIONS

COMPONENTS: tuple[str, ...] = ("read_model", "rules", "funds", "loans", "loan_applications", "scholarships", "pump",
                               "payouts")


def make_context(settings: Settings, base: Application) -> ServiceContext:
    return ServiceContext(base=base, directory=offices.directory(base.session_factory), actions=ACTIONS)


def consumers(app: ComponentApp) -> list[ConsumerSpec]:
    return [offices.consumer("welfare-offices", app.ctx.directory),
            contributions_rules.consumer("welfare-contributions-rules"), *app.consumers()]


def definition() -> ServiceDefinition:
    return component_service("welfare", COMPONENTS, metadata=metadata, tables=platform, make_context=make_context,
                             consumers=consumers)
