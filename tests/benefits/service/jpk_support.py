"""Builders for the JPK tests: facilities, a member's family with membership's stable ids,
coverage queries and their answers as (covered, rule, code, days)."""
from __future__ import annotations

from datetime import date

from jamsos.benefits.v1 import jpk_pb2 as jpb
from jamsos.membership.v1 import events_pb2, workers_pb2
from tests.benefits.service.support import BRANCH, HEAD, SERVICE, d, rid

CARE = {name: getattr(jpb, f"CARE_KIND_{name}") for name in (
    "FIRST_LEVEL_OUTPATIENT", "REFERRED_SPECIALIST", "INPATIENT", "CHILDBIRTH", "SPECIAL_SERVICE", "EMERGENCY",
    "EXTRA_CHECKUP", "EXTRA_HAEMODIALYSIS")}
KIND = {"PUSKESMAS": jpb.FACILITY_KIND_PUSKESMAS, "CLINIC": jpb.FACILITY_KIND_CLINIC,
        "HOSPITAL": jpb.FACILITY_KIND_HOSPITAL}


def register_facility(callers, code: str, kind: str, *, branch: str = BRANCH, name: str | None = None,
                      start: date = date(2020, 1, 1), until: date | None = None) -> jpb.Facility:
    facility = jpb.Facility(code=code, name=name or f"Faskes {code}", branch_code=branch, kind=KIND[kind],
                            appointed_from=d(start))
    if until:
        facility.appointed_until.CopyFrom(d(until))
    return callers.jpk(HEAD, office=branch).RegisterFacility(
        jpb.RegisterFacilityRequest(request_id=rid("fac"), facility=facility)).facility


def choose(callers, kpj: str, code: str, since: date | None = None, moved_house: bool = False) -> jpb.MemberFacility:
    request = jpb.ChooseFacilityRequest(request_id=rid("choose"), kpj=kpj, facility_code=code, moved_house=moved_house)
    if since:
        request.since.CopyFrom(d(since))
    return callers.jpk(SERVICE).ChooseFacility(request).member_facility


def query(kpj: str, care: str, facility: str, *, on: date | None = None, dependant: str = "", days: int = 0,
          icu: int = 0, case: str = "", exclusion: str = "", emergency: bool = False) -> jpb.CareQuery:
    q = jpb.CareQuery(kpj=kpj, dependant_member_id=dependant, facility_code=facility, care=CARE[care],
                      inpatient_days=days, intensive_care_days=icu, case_code=case or ("A09" if days else ""),
                      exclusion_code=exclusion, emergency=emergency)
    if on:
        q.on_date.CopyFrom(d(on))
    return q


def answer(callers, q: jpb.CareQuery, *, office: str = BRANCH) -> tuple[bool, str, str, int]:
    a = callers.jpk(SERVICE, office=office).CheckJpkCoverage(jpb.CheckJpkCoverageRequest(query=q)).answer
    return a.covered, a.rule_id, a.reason_code, a.days_covered


def record(callers, q: jpb.CareQuery) -> jpb.RecordJpkCareResponse:
    return callers.jpk(SERVICE).RecordJpkCare(jpb.RecordJpkCareRequest(request_id=rid("care"), query=q))


def family_changed(kpj: str, npp: str, members: list[tuple[str, str, date, bool]],
                   married: bool = True) -> events_pb2.WorkerFamilyChanged:
    """`members`: (member_id, relation SPOUSE/CHILD, birth date, married)."""
    status = workers_pb2.MARITAL_STATUS_MARRIED if married else workers_pb2.MARITAL_STATUS_DIVORCED
    return events_pb2.WorkerFamilyChanged(kpj=kpj, npp=npp, marital_status=status, members=[
        workers_pb2.FamilyMember(name=f"Anggota {mid}", relation=getattr(workers_pb2, f"RELATION_{rel}"),
                                 birth_date=d(born), married=wed, member_id=mid)
        for mid, rel, born, wed in members])
