"""Employer use cases: register (M-1, M-7), read within the caller's scope (O-2), change.

Every use case checks the caller's role for the action (O-3) and the branch of the
employer against the caller's scope (O-2). Mutations run through `Application.mutate`:
one transaction with their event and audit record, and a retry with the same request
id returns the first answer without doing anything twice.
"""
from __future__ import annotations

from datetime import date

from jamsos.membership.v1 import employers_pb2, events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_date
from services.chassis.errors import AlreadyExists, InvalidArgument
from services.membership.adapters.employer_repository import EmployerRepository, StoredEmployer
from services.membership.adapters.pwbd_repository import PwbdRepository
from services.membership.application.context import MembershipContext
from services.membership.application.employer_changes import EmployerChanges
from services.membership.application.employer_messages import (
    domain_employer_to_proto, employer_kind, employer_to_proto, registration_command, request_violations,
)
from services.membership.application.pwbd_matching import drop_registered
from services.membership.domain.employers import register_employer, registration_action, validate_registration
from services.membership.domain.numbers import NPP_LENGTH, validate_npp
from services.membership.domain.pwbd import normalise_company_name
from services.membership.domain.roles import MembershipAction

_SEPARATORS = " .-\t"


class EmployerUseCases(EmployerChanges):
    """The EmployerService use cases; the two changes live in `employer_changes`."""

    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    # ---- M-1, M-7: registration ----------------------------------------------------
    def register(self, request: employers_pb2.RegisterEmployerRequest) -> employers_pb2.RegisterEmployerResponse:
        """Register an employer, informal-sector group or construction project (M-1, M-7).

        A marketing officer of the branch (O-3); a new, nationally unique NPP from the
        one national sequence; one employer per NPWP (ALREADY_EXISTS otherwise); the
        company leaves the PWBD list if it was on it (M-2); EmployerRegistered is emitted.
        """
        kind = employer_kind(request)
        scope = self.ctx.authorise(registration_action(kind))
        command, decoding = registration_command(request, kind)
        today, branches = self.ctx.today(), self.ctx.directory.tree().all_branches()
        try:
            validate_registration(command, today, branches)
        except InvalidArgument as error:
            raise InvalidArgument(request_violations(error, decoding)) from None
        decoding.raise_if_any()
        scope.require_write(command.branch_code, "employer registration")

        def use_case(uow) -> employers_pb2.RegisterEmployerResponse:
            repo = EmployerRepository(uow.session, scope)
            sequence = repo.lock_npp_sequence()  # first: serialises the NPWP check below
            employer = register_employer(repo.issue_npp(sequence), command, today, branches)
            if employer.tax_number and repo.tax_number_taken(employer.tax_number):
                raise AlreadyExists("employer", employer.tax_number,
                                    f"an employer with NPWP {employer.tax_number} is already registered (M-1)")
            repo.add(employer)
            dropped = drop_registered(PwbdRepository(uow.session, scope), employer)
            message = domain_employer_to_proto(employer)
            uow.emit(topic_of("membership"), events_pb2.EmployerRegistered(employer=message),
                     aggregate_type="employer", aggregate_id=employer.npp, branch_code=employer.branch_code)
            uow.audit("employer.register", employer.npp,
                      {"branch_code": employer.branch_code, "kind": employer.kind.value, "legal_name": employer.legal_name,
                       "tax_number": employer.tax_number, "risk_group": employer.risk_group.number,
                       "pwbd_candidates_registered": dropped})
            uow.count("employer_registered")
            return employers_pb2.RegisterEmployerResponse(employer=message)

        return self.ctx.base.mutation(request, employers_pb2.RegisterEmployerResponse, use_case)

    # ---- reads (O-2) -----------------------------------------------------------------
    def get(self, request: employers_pb2.GetEmployerRequest) -> employers_pb2.GetEmployerResponse:
        """One employer by NPP; a mistyped NPP fails its check digit (INVALID_ARGUMENT)."""
        scope = self.ctx.authorise(MembershipAction.READ)
        npp = validate_npp(request.npp)
        on_date = to_date(request, "on_date", required=False)
        with self.ctx.base.read_session() as session:
            repo = EmployerRepository(session, scope)
            employer = repo.readable(npp)  # NotFound also for another branch's (O-2)
            return employers_pb2.GetEmployerResponse(employer=self._protos(repo, [employer], on_date)[0])

    def search(self, request: employers_pb2.SearchEmployersRequest) -> employers_pb2.SearchEmployersResponse:
        """By exact NPP, or by part of the name (case-insensitive, legal forms such as PT
        ignored), only among employers the caller may read (O-2); paged by NPP."""
        scope = self.ctx.authorise(MembershipAction.READ)
        limit, after = page_size(request.page), _after_npp(request.page.page_token)
        criteria = _search_criteria(request.query)
        with self.ctx.base.read_session() as session:
            repo = EmployerRepository(session, scope)
            rows = repo.search(**criteria, after_npp=after, limit=limit + 1)
            page, token = _page(rows, limit)
            return employers_pb2.SearchEmployersResponse(employers=self._protos(repo, page), page={"next_page_token": token})

    def list_employers(self, request: employers_pb2.ListEmployersRequest) -> employers_pb2.ListEmployersResponse:
        """A branch's employers, paged by NPP; the branch must be readable (O-2)."""
        scope = self.ctx.authorise(MembershipAction.READ)
        branch = request.branch_code.strip().upper()
        if not branch:
            raise InvalidArgument.field("branch_code", "is required")
        if not self.ctx.directory.is_branch(branch):
            raise InvalidArgument.field("branch_code", f"{branch} is not a branch office")
        limit, after = page_size(request.page), _after_npp(request.page.page_token)
        with self.ctx.base.read_session() as session:
            repo = EmployerRepository(session, scope)
            page, token = _page(repo.list_branch(branch, after, limit + 1), limit)
            return employers_pb2.ListEmployersResponse(employers=self._protos(repo, page), page={"next_page_token": token})

    def _protos(self, repo: EmployerRepository, stored: list[StoredEmployer],
                on_date: date | None = None) -> list[employers_pb2.Employer]:
        """Employers as messages, with the risk group and address in force on `on_date`
        (unset: today; a future-dated change takes over on its date without anyone
        rewriting the row). Before the registration the row's own ones stand."""
        day = on_date or self.ctx.today()
        npps = [e.npp for e in stored]
        risks, addresses = repo.current_risk_groups(npps, day), repo.current_addresses(npps, day)
        return [employer_to_proto(e, risks.get(e.npp), addresses.get(e.npp)) for e in stored]


def _search_criteria(query: str) -> dict:
    text = query.strip()
    if not text:
        raise InvalidArgument.field("query", "is required: an NPP or part of a name")
    compact = "".join(c for c in text if c not in _SEPARATORS)
    if compact.isdigit() and len(compact) == NPP_LENGTH:
        # Eight digits is an NPP: a wrong check digit is a typo, not a name to look for.
        return {"npp": validate_npp(compact, field="query")}
    fragment = normalise_company_name(text)
    if not fragment:
        raise InvalidArgument.field("query", "needs a name besides the legal form (PT, CV...)")
    return {"name_fragment": fragment}


def _after_npp(token: str) -> str | None:
    key = decode_page_token(token)
    if key is None:
        return None
    if not isinstance(key.get("npp"), str):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return key["npp"]


def _page(rows: list, limit: int) -> tuple[list, str]:
    """The first `limit` rows and the token for the next page ("" when none follows)."""
    if len(rows) <= limit:
        return rows, ""
    page = rows[:limit]
    return page, encode_page_token({"npp": page[-1].npp})


def build(ctx: MembershipContext) -> EmployerUseCases:
    return EmployerUseCases(ctx)

