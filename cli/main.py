"""The `jamsos` command: one Typer app, one sub-command group per area.

Global options (before the command) say where the services are, who calls and whether
to print JSON; each area module registers its own commands.
"""
from __future__ import annotations

import sys

from typing import Annotated

import typer

from . import (
    billing, claims, employers, errors, loans, offices, payments, payouts, pump, reconciliation, rules, scholarships,
    standing, tokens, workers,
)
from .connection import DEFAULT_TIMEOUT, SERVICES, Session, default_address

EPILOG = (
    "Connection: --membership/--contributions/--benefits/--welfare HOST:PORT, else JAMSOS_MEMBERSHIP (and "
    "JAMSOS_CONTRIBUTIONS, JAMSOS_BENEFITS, JAMSOS_WELFARE), else "
    "the `make run` ports (MEMBERSHIP_GRPC_PORT..., default 50051-50054). Token: --token or JAMSOS_TOKEN "
    "(`jamsos token` mints one). Every change sends a request id: give --request-id to retry safely. With --json the answer is JSON on stdout and an error is one JSON "
    "object on stderr; progress bars go to stderr.\n\n"
    + errors.EXIT_CODES_HELP
)

app = typer.Typer(
    name="jamsos",
    help="Operate the Jamsos platform: employers, workers, billing, payments, standing.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def connect(
    ctx: typer.Context,
    membership: Annotated[str | None, typer.Option("--membership", metavar="HOST:PORT", help="membership gRPC address")] = None,
    contributions: Annotated[str | None, typer.Option("--contributions", metavar="HOST:PORT", help="contributions gRPC address")] = None,
    benefits: Annotated[str | None, typer.Option("--benefits", metavar="HOST:PORT", help="benefits gRPC address")] = None,
    welfare: Annotated[str | None, typer.Option("--welfare", metavar="HOST:PORT", help="welfare gRPC address")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="JAMSOS_TOKEN", show_envvar=True, help="bearer token (JWT)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for scripts instead of tables")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="seconds per call")] = DEFAULT_TIMEOUT,
) -> None:
    given = {"membership": membership, "contributions": contributions, "benefits": benefits, "welfare": welfare}
    addresses = {name: given[name] or default_address(name) for name in SERVICES}
    session = Session(addresses=addresses, token=token, as_json=as_json, timeout=timeout)
    ctx.obj = session
    ctx.call_on_close(session.close)


app.command(name="token", help=tokens.mint.__doc__)(tokens.mint)
app.add_typer(offices.app, name="office")
app.add_typer(employers.app, name="employer")
app.add_typer(workers.app, name="worker")
app.add_typer(workers.cards_app, name="card")
app.add_typer(billing.app, name="billing")
app.add_typer(billing.bills_app, name="bill")
app.add_typer(payments.app, name="payment")
app.add_typer(standing.app, name="standing")
app.add_typer(reconciliation.app, name="reconcile")
app.add_typer(rules.app, name="rules")
app.add_typer(claims.app, name="claim")
app.add_typer(claims.accident_app, name="accident")
app.add_typer(payouts.app, name="payout")
app.add_typer(loans.coop_app, name="coop-loan")
app.add_typer(loans.partnership_app, name="partnership-loan")
app.add_typer(loans.application_app, name="application")
app.add_typer(loans.loan_app, name="loan")
app.add_typer(loans.fund_app, name="fund")
app.add_typer(scholarships.app, name="scholarship")
app.add_typer(pump.app, name="pump")


def main() -> None:
    """The installed entry point (`[project.scripts] jamsos`)."""
    try:
        app()
    except KeyboardInterrupt:
        print("jamsos: interrupted", file=sys.stderr)
        sys.exit(130)
