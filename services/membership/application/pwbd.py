"""PWBD use cases (M-2): import potential-employer data, list the gap, record notice letters.

The administration officer of a branch keeps the list of companies that must register
but have not (O-3: IMPORT_PWBD, RECORD_NOTICE_LETTER), for their own branch only (O-2).
Registering an employer drops it from the list (see `pwbd_matching.drop_registered`).
"""
from __future__ import annotations

from collections.abc import Iterable

from jamsos.membership.v1 import pwbd_pb2
from services.chassis.context import current_principal
from services.chassis.convert import decode_page_token, encode_page_token, from_date, page_size, to_date
from services.chassis.errors import AlreadyExists, InvalidArgument, Violations
from services.chassis.scope import BranchScope
from services.membership.adapters.pwbd_repository import NoticeLetter, PwbdRepository, StoredCandidate
from services.membership.application.context import MembershipContext
from services.membership.application.pwbd_import import ImportBatch, classify, read_stream
from services.membership.application.pwbd_matching import EmployerIndex
from services.membership.domain.numbers import normalise_npwp
from services.membership.domain.pwbd import PwbdStatus
from services.membership.domain.roles import MembershipAction
from services.membership.domain.values import clean_text, collect

LETTER_NUMBER_MAX = 100
SOURCE_MAX = 200


class PwbdUseCases:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def import_candidates(self, messages: Iterable[pwbd_pb2.ImportCandidatesRequest]) -> pwbd_pb2.ImportCandidatesResponse:
        """Import a header and rows in one transaction (M-2); a resend with the same
        request id returns the first result and adds nothing."""
        scope = self.ctx.authorise(MembershipAction.IMPORT_PWBD)  # before reading thousands of rows
        batch = read_stream(messages)
        branches = self.ctx.directory.tree().all_branches()
        branch = self._check_header(batch, scope, branches)

        def use_case(uow) -> pwbd_pb2.ImportCandidatesResponse:
            repo = PwbdRepository(uow.session, scope)
            npwps = [row.tax_number for row in batch.rows if row.tax_number]
            # Loaded once for the whole file; each row is then a dictionary lookup.
            index = EmployerIndex(repo.employers_for_matching(branch, _normalised_npwps(npwps)))
            response, new_rows = classify(batch, branch, branches, index, repo.candidates_of_branch(branch))
            repo.add_many(new_rows)
            uow.audit("pwbd.import", branch, {
                "source": batch.header.source, "rows": len(batch.rows), "accepted": response.accepted,
                "already_registered": response.already_registered, "duplicates": response.duplicates,
                "rejected": response.rejected})
            uow.count("pwbd_imported")
            return response

        # A client stream: its header and rows are fingerprinted as one message.
        return self.ctx.base.mutate("PwbdService/ImportCandidates", batch.fingerprint_message(),
                                    pwbd_pb2.ImportCandidatesResponse, use_case, request_id=batch.header.request_id)

    def list_unregistered(self, request: pwbd_pb2.ListUnregisteredRequest) -> pwbd_pb2.ListUnregisteredResponse:
        """A branch's unregistered companies, paged, with the totals of the gap report
        (M-2: e.g. 247 companies listed, 185 of them registered since)."""
        scope = self.ctx.authorise(MembershipAction.READ)
        branch = self._branch(request.branch_code)
        limit = page_size(request.page)
        token = decode_page_token(request.page.page_token) or {}
        after = token.get("candidate_id")
        if after is not None and not isinstance(after, str):
            raise InvalidArgument.field("page.page_token", "not a token this service issued")
        with self.ctx.base.read_session() as session:
            repo = PwbdRepository(session, scope)
            rows = repo.unregistered_page(branch, after, limit + 1)
            page = rows[:limit]
            letters = repo.letters_of([r.candidate_id for r in page])
            totals = repo.totals(branch)
        return pwbd_pb2.ListUnregisteredResponse(
            companies=[company_to_proto(r, letters.get(r.candidate_id, [])) for r in page],
            page={"next_page_token": encode_page_token({"candidate_id": page[-1].candidate_id}) if len(rows) > limit else ""},
            total_unregistered=sum(totals.get(s.value, 0) for s in (PwbdStatus.OPEN, PwbdStatus.NOTIFIED)),
            total_registered=totals.get(PwbdStatus.REGISTERED.value, 0),
        )

    def record_notice_letter(self, request: pwbd_pb2.RecordNoticeLetterRequest) -> pwbd_pb2.RecordNoticeLetterResponse:
        """A notice letter sent to a listed company (M-2); refused (FAILED_PRECONDITION,
        rule M-2) once the company has registered."""
        scope = self.ctx.authorise(MembershipAction.RECORD_NOTICE_LETTER)
        v = Violations()
        candidate_id = clean_text(request.candidate_id, "candidate_id", v, max_length=36)
        letter_number = clean_text(request.letter_number, "letter_number", v, max_length=LETTER_NUMBER_MAX)
        sent_on = collect(v, to_date, request, "sent_on")
        if sent_on is not None and sent_on > self.ctx.today():
            v.add("sent_on", f"{sent_on.isoformat()} is in the future")
        v.raise_if_any()
        recorded_by = current_principal().user_id

        def use_case(uow) -> pwbd_pb2.RecordNoticeLetterResponse:
            repo = PwbdRepository(uow.session, scope)
            stored = repo.writable(candidate_id)  # locked; NotFound also for another branch's (O-2)
            entry = stored.entry().record_notice(sent_on)  # RuleViolation M-2 for a registered company
            if repo.has_letter(candidate_id, letter_number):
                raise AlreadyExists("notice letter", letter_number,
                                    f"letter {letter_number} is already recorded for this company")
            repo.add_letter(candidate_id, letter_number, sent_on, recorded_by, entry.status)
            uow.audit("pwbd.notice_letter", candidate_id,
                      {"letter_number": letter_number, "sent_on": sent_on.isoformat(), "branch_code": stored.branch_code})
            fresh = repo.get(candidate_id)
            assert fresh is not None  # locked above
            uow.count("pwbd_notice_recorded")
            return pwbd_pb2.RecordNoticeLetterResponse(
                company=company_to_proto(fresh, repo.letters_of([candidate_id]).get(candidate_id, [])))

        return self.ctx.base.mutation(request, pwbd_pb2.RecordNoticeLetterResponse, use_case)

    def _branch(self, code: str) -> str:
        branch = code.strip().upper()
        if not branch:
            raise InvalidArgument.field("branch_code", "is required")
        if not self.ctx.directory.is_branch(branch):
            raise InvalidArgument.field("branch_code", f"{branch} is not a branch office")
        return branch

    def _check_header(self, batch: ImportBatch, scope: BranchScope, branches: frozenset[str]) -> str:
        header = batch.header
        v = Violations()
        if not header.request_id:
            v.add("header.request_id", "is required: a client-chosen id that makes a resend safe")
        clean_text(header.source, "header.source", v, max_length=SOURCE_MAX, required=False)
        branch = header.branch_code.strip().upper()
        if not branch:
            v.add("header.branch_code", "is required")
        elif branch not in branches:
            v.add("header.branch_code", f"{branch} is not a branch office")
        v.raise_if_any()
        scope.require_write(branch, "PWBD list")
        return branch


def _normalised_npwps(values: list[str]) -> list[str]:
    """The well-formed NPWPs among raw row values (bad ones are rejected row by row)."""
    found = []
    for value in values:
        try:
            found.append(normalise_npwp(value))
        except InvalidArgument:
            continue
    return found


def company_to_proto(stored: StoredCandidate, letters: list[NoticeLetter]) -> pwbd_pb2.UnregisteredCompany:
    c = stored.candidate
    registered = stored.status is PwbdStatus.REGISTERED
    return pwbd_pb2.UnregisteredCompany(
        candidate_id=stored.candidate_id, branch_code=c.branch_code, name=c.name, address=c.address,
        tax_number=c.tax_number or "", sector=stored.sector or "", estimated_workers=c.worker_estimate,
        status=pwbd_pb2.CANDIDATE_STATUS_REGISTERED if registered else pwbd_pb2.CANDIDATE_STATUS_UNREGISTERED,
        registered_npp=stored.registered_npp or "", source=c.source or "",
        notice_letters=[pwbd_pb2.NoticeLetter(letter_number=x.letter_number, sent_on=from_date(x.sent_on),
                                              recorded_by=x.recorded_by) for x in letters],
    )


def build(ctx: MembershipContext) -> PwbdUseCases:
    return PwbdUseCases(ctx)
