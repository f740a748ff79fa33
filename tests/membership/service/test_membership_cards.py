"""Member cards (M-5, B-JPK-1): issue, then download as PNG or PDF rendered from data."""
from __future__ import annotations

import io
from datetime import date

import grpc
import pytest
from PIL import Image

from jamsos.membership.v1 import cards_pb2, workers_pb2
from tests.membership.service.workers_fixtures import (
    cards_of, d, enrol, new_nik, register_employer, request_id, rule_of, workers_of,
)

KPJ_CARD, KPK_CARD = cards_pb2.CARD_TYPE_KPJ, cards_pb2.CARD_TYPE_KPK


def issue(caller, kpj, card_type=KPJ_CARD, rid=None, office="KC-BINJAI"):
    return cards_of(caller, office).IssueCard(cards_pb2.IssueCardRequest(request_id=rid or request_id("card"), kpj=kpj, card_type=card_type)).card


def download(caller, kpj, card_type=KPJ_CARD, fmt=cards_pb2.CARD_FORMAT_PNG, office="KC-BINJAI", *roles):
    return cards_of(caller, office, *roles).DownloadCard(cards_pb2.DownloadCardRequest(kpj=kpj, card_type=card_type, format=fmt))


@pytest.mark.rule("M-5")
def test_m5_an_issued_kpj_card_downloads_as_a_png_that_opens(caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    card = issue(caller, kpj)
    assert card.card_number == f"KPJ-{kpj}-001" and card.kpj == kpj and card.holder_name == "Siti Aminah"
    assert card.npp == binjai_npp and card.branch_code == "KC-BINJAI" and card.issued_by == "kc-binjai-administration_officer"
    assert card.issued_on == d(date.today())
    response = download(caller, kpj)
    assert response.media_type == "image/png" and response.filename == f"kpj-{kpj}-001.png"
    assert response.card == card
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG" and image.size == (856, 540)


@pytest.mark.rule("M-5")
def test_m5_the_pdf_card_is_one_valid_page_with_the_nik_masked_but_the_last_4_digits(caller, binjai_npp):
    nik = new_nik()
    kpj = enrol(caller, binjai_npp, nik=nik).worker.kpj
    issue(caller, kpj)
    response = download(caller, kpj, fmt=cards_pb2.CARD_FORMAT_PDF)
    pdf = response.content
    assert response.media_type == "application/pdf" and response.filename.endswith(".pdf")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and pdf.count(b"/Type /Page ") == 1
    assert ("*" * 12 + nik[-4:]).encode() in pdf and nik.encode() not in pdf
    for text in (kpj, binjai_npp, "Siti Aminah", "JHT, JKK, JK, JPK", date.today().isoformat()):
        assert text.encode() in pdf
    xref_at = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref_at:xref_at + 4] == b"xref"


@pytest.mark.rule("M-5")
def test_m5_issuing_is_idempotent_per_request_and_per_employment_and_a_transfer_gets_a_new_card(caller, binjai_npp):
    nik = new_nik()
    kpj = enrol(caller, binjai_npp, nik=nik).worker.kpj
    rid = request_id("card")
    first = issue(caller, kpj, rid=rid)
    assert issue(caller, kpj, rid=rid) == first
    assert issue(caller, kpj) == first  # already issued for this employment
    medan = register_employer(caller, "KC-MEDAN")
    enrol(caller, medan, office="KC-MEDAN", nik=nik, start_date=d(date(2024, 1, 2)))
    second = issue(caller, kpj, office="KC-MEDAN")
    assert second.card_number == f"KPJ-{kpj}-002" and second.npp == medan and second.branch_code == "KC-MEDAN"
    assert download(caller, kpj, KPJ_CARD, cards_pb2.CARD_FORMAT_PNG, "KC-MEDAN").card == second


@pytest.mark.rule("B-JPK-1")
def test_b_jpk_1_a_health_card_only_for_a_member_enrolled_in_jpk(caller, binjai_npp):
    with_jpk = enrol(caller, binjai_npp).worker.kpj
    assert issue(caller, with_jpk, KPK_CARD).card_number == f"KPK-{with_jpk}-001"
    pdf = download(caller, with_jpk, KPK_CARD, cards_pb2.CARD_FORMAT_PDF).content
    assert b"KARTU PEMELIHARAAN KESEHATAN" in pdf
    without = enrol(caller, binjai_npp, programs=[workers_pb2.PROGRAM_JHT, workers_pb2.PROGRAM_JKK, workers_pb2.PROGRAM_JK]).worker.kpj
    with pytest.raises(grpc.RpcError) as err:
        issue(caller, without, KPK_CARD)
    assert rule_of(err.value) == "B-JPK-1"
    assert issue(caller, without, KPJ_CARD).card_type == KPJ_CARD


@pytest.mark.rule("M-8")
def test_m8_no_card_for_a_deceased_member(caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    workers_of(caller).RecordDeath(workers_pb2.RecordDeathRequest(request_id=request_id(), kpj=kpj, death_date=d(date(2024, 1, 5))))
    with pytest.raises(grpc.RpcError) as err:
        issue(caller, kpj)
    assert rule_of(err.value) == "M-8"


@pytest.mark.rule("M-5")
def test_m5_a_card_never_issued_is_not_found_and_a_download_does_not_issue_one(caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    for _ in range(2):
        with pytest.raises(grpc.RpcError) as err:
            download(caller, kpj, KPJ_CARD, cards_pb2.CARD_FORMAT_PNG, "KP", "HEAD_OFFICE_AUDITOR")
        assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("M-5")
def test_m5_card_type_is_required(caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    with pytest.raises(grpc.RpcError) as err:
        issue(caller, kpj, cards_pb2.CARD_TYPE_UNSPECIFIED)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
