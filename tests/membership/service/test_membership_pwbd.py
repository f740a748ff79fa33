"""The PWBD list (M-2): import, matching with registered employers, the gap, notice letters."""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import pwbd_pb2
from services.membership.adapters.tables import pwbd_candidates
from tests.membership.service.employers_support import (
    d, next_npwp, pwbd_of, register, rule_of, today, violated_fields,
)

ACCEPTED, REGISTERED = pwbd_pb2.ROW_OUTCOME_ACCEPTED, pwbd_pb2.ROW_OUTCOME_ALREADY_REGISTERED
DUPLICATE, REJECTED = pwbd_pb2.ROW_OUTCOME_DUPLICATE, pwbd_pb2.ROW_OUTCOME_REJECTED


def admin(as_user, branch: str = "KC-BINJAI"):
    return pwbd_of(as_user, branch, "ADMINISTRATION_OFFICER")


def stream(request_id: str, rows: list[dict], branch: str = "KC-BINJAI", source: str = "Disnaker Kota Binjai"):
    yield pwbd_pb2.ImportCandidatesRequest(header=pwbd_pb2.ImportHeader(request_id=request_id, branch_code=branch, source=source))
    for number, row in enumerate(rows, start=1):
        yield pwbd_pb2.ImportCandidatesRequest(row=pwbd_pb2.CandidateRow(row_number=number, **row))


def import_rows(as_user, request_id: str, rows: list[dict], branch: str = "KC-BINJAI") -> pwbd_pb2.ImportCandidatesResponse:
    return admin(as_user, branch).ImportCandidates(stream(request_id, rows, branch))


def listed(as_user, branch: str = "KC-BINJAI", page_size: int = 500) -> tuple[list[pwbd_pb2.UnregisteredCompany], pwbd_pb2.ListUnregisteredResponse]:
    """Every unregistered company of the branch, page by page, and the last page (totals)."""
    stub, companies, token = admin(as_user, branch), [], ""
    while True:
        page = stub.ListUnregistered(pwbd_pb2.ListUnregisteredRequest(
            branch_code=branch, page=types_pb2.PageRequest(page_size=page_size, page_token=token)))
        companies += page.companies
        token = page.page.next_page_token
        if not token:
            return companies, page


def candidate_rows(membership) -> int:
    with membership.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(pwbd_candidates)).scalar_one()


def company(i: int, **overrides) -> dict:
    row = {"name": f"PT Calon Peserta {i}", "address": f"Jl. Industri No. {i}, Binjai", "sector": "Manufaktur",
           "estimated_workers": 10 + i % 40}
    row.update(overrides)
    return row


@pytest.mark.rule("M-2")
def test_m2_an_import_of_two_thousand_rows_sorts_every_row_with_exact_counts(as_user, membership):
    with_npwp = register(as_user, legal_name="PT Sudah Terdaftar", tax_number="03.333.444.5-555.000")
    by_name = register(as_user, legal_name="PT Maju Jaya Abadi", address="Jalan Merdeka Nomor 5, Binjai", tax_number="")
    elsewhere = register(as_user, "KC-MEDAN", legal_name="PT Cabang Medan", tax_number="04.444.555.6-666.000")
    earlier = [company(10_000 + i, tax_number=next_npwp()) for i in range(10)]
    assert import_rows(as_user, "pwbd-earlier", earlier).accepted == 10

    good = [company(i, tax_number=next_npwp() if i % 2 else "") for i in range(1500)]
    bad = ([company(20_000 + i, name="") for i in range(50)] + [company(21_000 + i, tax_number="123") for i in range(50)]
           + [company(22_000 + i, estimated_workers=-1) for i in range(50)] + [company(23_000 + i, sector="S" * 101) for i in range(50)])
    duplicates = ([company(30_000 + i, tax_number=earlier[i % 10]["tax_number"]) for i in range(50)]
                  + [dict(earlier[i % 10], name="P.T. " + earlier[i % 10]["name"][3:].upper(), tax_number="",
                          address=earlier[i % 10]["address"].replace("Jl.", "Jalan")) for i in range(50)]
                  + [dict(good[i], sector="Lain") for i in range(0, 100, 2)])
    known = ([company(40_000 + i, tax_number="033334445555000") for i in range(50)]
             + [company(41_000 + i, name="Maju Jaya Abadi, PT", address="Jl. Merdeka No. 5, Binjai") for i in range(50)]
             + [company(42_000 + i, tax_number="0044445556666000") for i in range(50)])
    rows = good + bad + duplicates + known
    random.Random(2).shuffle(rows)
    assert len(rows) == 2000

    response = import_rows(as_user, "pwbd-big", rows)
    assert (response.accepted, response.rejected, response.duplicates, response.already_registered) == (1500, 200, 150, 150)
    assert [r.row_number for r in response.results] == list(range(1, 2001))
    by_row = {r.row_number: r for r in response.results}
    for number, row in enumerate(rows, start=1):
        result = by_row[number]
        if row.get("tax_number") == "033334445555000":
            assert (result.outcome, result.matched_npp) == (REGISTERED, with_npwp.npp)
        elif row["name"].startswith("Maju Jaya Abadi"):
            assert (result.outcome, result.matched_npp) == (REGISTERED, by_name.npp)
        elif row.get("tax_number") == "0044445556666000":
            assert (result.outcome, result.matched_npp) == (REGISTERED, elsewhere.npp)  # an NPWP is national
        elif result.outcome == ACCEPTED:
            assert result.candidate_id and not result.reasons
    reasons = {reason.split(":")[0] for r in response.results if r.outcome == REJECTED for reason in r.reasons}
    assert reasons == {"name", "tax_number", "estimated_workers", "sector"}
    assert candidate_rows(membership) == 1510

    companies, last_page = listed(as_user, page_size=400)
    assert len({c.candidate_id for c in companies}) == 1510
    assert (last_page.total_unregistered, last_page.total_registered) == (1510, 0)

    again = import_rows(as_user, "pwbd-big", rows)  # resent: the first answer, nothing doubled
    assert again == response and candidate_rows(membership) == 1510


@pytest.mark.rule("M-2")
def test_m2_a_request_id_reused_for_another_file_is_refused(as_user, membership):
    import_rows(as_user, "pwbd-1", [company(1)])
    with pytest.raises(grpc.RpcError) as err:
        import_rows(as_user, "pwbd-1", [company(2)])
    assert violated_fields(err.value) == {"request_id"}
    assert candidate_rows(membership) == 1


@pytest.mark.rule("M-2")
def test_m2_the_import_stream_starts_with_one_header_for_a_branch_of_the_caller(as_user):
    row = pwbd_pb2.ImportCandidatesRequest(row=pwbd_pb2.CandidateRow(row_number=1, name="PT A"))
    header = pwbd_pb2.ImportCandidatesRequest(header=pwbd_pb2.ImportHeader(request_id="h-1", branch_code="KC-BINJAI"))
    cases = [([], "header"), ([row], "header"), ([row, header], "header"), ([header, header], "header"),
             ([pwbd_pb2.ImportCandidatesRequest(header=pwbd_pb2.ImportHeader(branch_code="KC-BINJAI"))], "header.request_id"),
             ([pwbd_pb2.ImportCandidatesRequest(header=pwbd_pb2.ImportHeader(request_id="h-2", branch_code="KC-NOWHERE"))], "header.branch_code")]
    for messages, field in cases:
        with pytest.raises(grpc.RpcError) as err:
            admin(as_user).ImportCandidates(iter(messages))
        assert violated_fields(err.value) == {field}
    for office, role in (("KC-MEDAN", "ADMINISTRATION_OFFICER"), ("KC-BINJAI", "MARKETING_OFFICER"), ("KP", "HEAD_OFFICE_AUDITOR")):
        with pytest.raises(grpc.RpcError) as err:
            pwbd_of(as_user, office, role).ImportCandidates(stream("h-3", [company(1)]))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED  # O-2, O-3


@pytest.mark.rule("M-2")
def test_m2_registering_listed_companies_closes_the_gap_247_listed_185_registered(as_user):
    rows = [company(i, tax_number=next_npwp() if i % 3 else "") for i in range(247)]
    response = import_rows(as_user, "gap", rows)
    assert response.accepted == 247

    def register_listed(row: dict) -> None:
        # Registered with a differently spelled name and address: still the listed company.
        register(as_user, legal_name=row["name"].replace("PT ", "") + ", PT", address=row["address"].replace("Jl.", "Jalan"),
                 tax_number=row["tax_number"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(register_listed, rows[:185]))
    companies, last_page = listed(as_user)
    assert (last_page.total_unregistered, last_page.total_registered) == (62, 185)
    assert sorted(c.name for c in companies) == sorted(r["name"] for r in rows[185:])


@pytest.mark.rule("M-2")
def test_m2_a_company_listed_in_another_branch_leaves_the_list_when_it_registers_here(as_user):
    npwp = next_npwp()
    [result] = import_rows(as_user, "medan", [company(1, tax_number=npwp)], branch="KC-MEDAN").results
    employer = register(as_user, "KC-BINJAI", legal_name="PT Pindahan", tax_number=npwp)
    companies, page = listed(as_user, "KC-MEDAN")
    assert companies == [] and (page.total_unregistered, page.total_registered) == (0, 1)
    with pytest.raises(grpc.RpcError) as err:
        admin(as_user, "KC-MEDAN").RecordNoticeLetter(pwbd_pb2.RecordNoticeLetterRequest(
            request_id="late", candidate_id=result.candidate_id, letter_number="B/1/2024", sent_on=d(2024, 5, 2)))
    assert rule_of(err.value) == "M-2"
    assert employer.npp in err.value.details()


@pytest.mark.rule("M-2")
def test_m2_a_notice_letter_is_recorded_once_for_an_unregistered_company(as_user):
    [result] = import_rows(as_user, "notice", [company(7)]).results
    stub = admin(as_user)

    def notice(request_id: str, letter: str = "B/123/PWBD/2024",
               sent_on=d(2024, 5, 2),  # noqa: B008 - one fixed date, built once per test
               candidate_id=result.candidate_id):
        return stub.RecordNoticeLetter(pwbd_pb2.RecordNoticeLetterRequest(
            request_id=request_id, candidate_id=candidate_id, letter_number=letter, sent_on=sent_on))

    first = notice("n-1").company
    assert [(x.letter_number, x.sent_on) for x in first.notice_letters] == [("B/123/PWBD/2024", d(2024, 5, 2))]
    assert first.notice_letters[0].recorded_by and first.status == pwbd_pb2.CANDIDATE_STATUS_UNREGISTERED
    assert notice("n-1").company == first  # a retry records nothing twice
    with pytest.raises(grpc.RpcError) as err:
        notice("n-2")
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    second = notice("n-3", letter="B/200/PWBD/2024", sent_on=d(2024, 6, 3)).company
    assert len(second.notice_letters) == 2
    [listed_company], _ = listed(as_user)
    assert listed_company == second
    ahead = today().replace(year=today().year + 1)
    for request_id, kwargs, field in (("n-4", {"letter": ""}, "letter_number"), ("n-5", {"sent_on": None}, "sent_on"),
                                      ("n-6", {"sent_on": d(ahead.year, ahead.month, ahead.day)}, "sent_on"),
                                      ("n-7", {"candidate_id": ""}, "candidate_id")):
        with pytest.raises(grpc.RpcError) as err:
            notice(request_id, **kwargs)
        assert violated_fields(err.value) == {field}
    with pytest.raises(grpc.RpcError) as err:
        notice("n-8", candidate_id="0190c2a4-0000-7000-8000-000000000000")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("M-2", "O-2", "O-3")
def test_m2_o2_o3_only_the_branchs_administration_officer_records_letters_and_others_read_within_scope(as_user):
    [result] = import_rows(as_user, "scope", [company(3)]).results
    request = pwbd_pb2.RecordNoticeLetterRequest(request_id="s-1", candidate_id=result.candidate_id, letter_number="B/9", sent_on=d(2024, 5, 2))
    hidden, denied = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED  # another branch's: as if absent
    for office, role, code in (("KC-MEDAN", "ADMINISTRATION_OFFICER", hidden), ("KC-BINJAI", "MARKETING_OFFICER", denied),
                               ("KW-SUMBAGUT", "REGIONAL_OFFICER", denied)):
        with pytest.raises(grpc.RpcError) as err:
            pwbd_of(as_user, office, role).RecordNoticeLetter(request)
        assert err.value.code() == code
    list_binjai = pwbd_pb2.ListUnregisteredRequest(branch_code="KC-BINJAI")
    for office, role in (("KW-SUMBAGUT", "REGIONAL_OFFICER"), ("KP", "HEAD_OFFICE_AUDITOR"), ("KC-BINJAI", "MARKETING_OFFICER")):
        assert len(pwbd_of(as_user, office, role).ListUnregistered(list_binjai).companies) == 1
    for office, role in (("KC-MEDAN", "ADMINISTRATION_OFFICER"), ("KW-DKI", "REGIONAL_OFFICER")):
        with pytest.raises(grpc.RpcError) as err:
            pwbd_of(as_user, office, role).ListUnregistered(list_binjai)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
