"""JpkService protobuf <-> commands and results, with the request's field names: an unknown
enum value, a missing field, an impossible date or a day count beyond reason is
INVALID_ARGUMENT naming the field (`facility.kind`, `query.inpatient_days`)."""
from __future__ import annotations

import re
from datetime import date

from jamsos.benefits.v1 import jpk_pb2 as pb
from jamsos.common.v1 import types_pb2
from services.benefits.application.jpk_commands import (
    ChooseFacility, CoverageAnswer, CoverageCheck, FacilityPage, ListFacilities, MemberFacility, RegisterFacility,
)
from services.benefits.domain.facilities import Facility, FacilityChoice, FacilityKind, new_facility
from services.benefits.domain.jpk_exclusions import EXCLUSIONS
from services.benefits.domain.jpk_facts import CoverageQuery
from services.benefits.domain.jpk_kinds import CareKind
from services.benefits.entrypoints.claims_mapping import enum_in, optional_date, require_kpj
from services.chassis.convert import decode_page_token, encode_page_token, from_date, page_size
from services.chassis.errors import FieldViolation, InvalidArgument, Violations

KIND = {getattr(pb, f"FACILITY_KIND_{k.value}"): k for k in FacilityKind}
KIND_TO_PROTO = {v: k for k, v in KIND.items()}
CARE = {getattr(pb, f"CARE_KIND_{c.value}"): c for c in CareKind}
CARE_TO_PROTO = {v: k for k, v in CARE.items()}
MAX_STAY_DAYS = 366  # a stay asked about in one check: at most a year (the limits are per year)
CASE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,19}$")


# ---- decoding --------------------------------------------------------------------------
def register_facility(request: pb.RegisterFacilityRequest) -> RegisterFacility:
    if not request.HasField("facility"):
        raise InvalidArgument.field("facility", "is required")
    f, v = request.facility, Violations()
    kind = enum_in(KIND, f.kind, "facility.kind", v)
    start = optional_date(f, "appointed_from", v, "facility.appointed_from")
    until = optional_date(f, "appointed_until", v, "facility.appointed_until")
    command = RegisterFacility(f.code, f.name, f.branch_code.strip(), kind, start, until)
    try:  # the facility's own checks, before the scope is asked about its branch
        new_facility(command.code, command.name, command.branch_code or "-", kind or FacilityKind.CLINIC,
                     start or date.min, until)
    except InvalidArgument as error:
        v.items.extend(FieldViolation(f"facility.{x.field}", x.reason) for x in error.violations)
    v.raise_if_any()
    return command


def list_facilities(request: pb.ListFacilitiesRequest) -> ListFacilities:
    v = Violations()
    kind = enum_in(KIND, request.kind, "kind", v, required=False)
    v.raise_if_any()
    after = str((decode_page_token(request.page.page_token) or {}).get("after", "")) or None
    return ListFacilities(request.branch_code.strip() or None, kind, page_size(request.page), after)


def choose_facility(request: pb.ChooseFacilityRequest) -> ChooseFacility:
    v = Violations()
    kpj = require_kpj(request)
    code = request.facility_code.strip().upper()
    if not code:
        v.add("facility_code", "is required")
    since = optional_date(request, "since", v, "since")
    v.raise_if_any()
    return ChooseFacility(kpj, code, since, request.moved_house)


def member_kpj(request: pb.GetMemberFacilityRequest) -> str:
    return require_kpj(request)


def coverage_check(request: pb.CheckJpkCoverageRequest | pb.RecordJpkCareRequest, today_of) -> CoverageCheck:
    """`today_of()` gives the service's day, for a query without `on_date`."""
    if not request.HasField("query"):
        raise InvalidArgument.field("query", "is required")
    q, v = request.query, Violations()
    kpj = "".join(ch for ch in q.kpj if ch.isdigit())
    if not kpj:
        v.add("query.kpj", "is required")
    care = enum_in(CARE, q.care, "query.care", v)
    on_date = optional_date(q, "on_date", v, "query.on_date")
    if not q.facility_code.strip():
        v.add("query.facility_code", "is required")
    for name in ("inpatient_days", "intensive_care_days"):
        if not 0 <= getattr(q, name) <= MAX_STAY_DAYS:
            v.add(f"query.{name}", f"must be 0..{MAX_STAY_DAYS}")
    exclusion = q.exclusion_code.strip().upper() or None
    if exclusion is not None and exclusion not in EXCLUSIONS:
        v.add("query.exclusion_code", "not a code of the catalogue (ListJpkExclusions)")
    case_code = q.case_code.strip().upper()
    if case_code and not CASE_CODE.match(case_code):
        v.add("query.case_code", "1 to 20 letters, digits, dots or dashes (a diagnosis code)")
    if q.inpatient_days and not case_code:
        v.add("query.case_code", "is required with inpatient_days: care days count per case (B-JPK-5)")
    dependant = q.dependant_member_id.strip()
    if len(dependant) > 36:
        v.add("query.dependant_member_id", "at most 36 characters")
    v.raise_if_any()
    assert care is not None
    try:
        query = CoverageQuery(on_date=on_date or today_of(), facility_code=q.facility_code.strip().upper(), care=care,
                              exclusion_code=exclusion, inpatient_days=q.inpatient_days, emergency=q.emergency,
                              intensive_care_days=q.intensive_care_days, asked_on=today_of())
    except InvalidArgument as error:
        raise InvalidArgument([FieldViolation(f"query.{x.field}", x.reason) for x in error.violations]) from None
    return CoverageCheck(kpj, dependant, query, case_code)


# ---- encoding --------------------------------------------------------------------------
def facility_to_proto(facility: Facility) -> pb.Facility:
    message = pb.Facility(code=facility.code, name=facility.name, branch_code=facility.branch_code,
                          kind=KIND_TO_PROTO[facility.kind], appointed_from=from_date(facility.appointed_from))
    if facility.appointed_until is not None:
        message.appointed_until.CopyFrom(from_date(facility.appointed_until))
    return message


def choice_to_proto(choice: FacilityChoice) -> pb.FacilityChoice:
    return pb.FacilityChoice(facility_code=choice.facility_code, since=from_date(choice.since),
                             moved_house=choice.moved_house, chosen_by=choice.chosen_by)


def member_facility_to_proto(view: MemberFacility) -> pb.MemberFacility:
    message = pb.MemberFacility(kpj=view.kpj, history=[choice_to_proto(c) for c in view.history])
    if view.facility is not None:
        message.facility.CopyFrom(facility_to_proto(view.facility))
    if view.current is not None:
        message.current.CopyFrom(choice_to_proto(view.current))
    if view.may_change_from is not None:
        message.may_change_from.CopyFrom(from_date(view.may_change_from))
    return message


def answer_to_proto(answer: CoverageAnswer) -> pb.CoverageAnswer:
    d = answer.decision
    return pb.CoverageAnswer(covered=d.covered, rule_id=d.rule_id, reason_code=d.reason_code, message=d.message,
                             days_covered=d.days_covered, on_date=from_date(answer.check.query.on_date))


def register_response(facility: Facility) -> pb.RegisterFacilityResponse:
    return pb.RegisterFacilityResponse(facility=facility_to_proto(facility))


def list_response(page: FacilityPage) -> pb.ListFacilitiesResponse:
    token = encode_page_token({"after": page.next_after}) if page.next_after else ""
    return pb.ListFacilitiesResponse(facilities=[facility_to_proto(f) for f in page.facilities],
                                     page=types_pb2.PageResponse(next_page_token=token))


def choose_response(view: MemberFacility) -> pb.ChooseFacilityResponse:
    return pb.ChooseFacilityResponse(member_facility=member_facility_to_proto(view))


def member_response(view: MemberFacility) -> pb.GetMemberFacilityResponse:
    return pb.GetMemberFacilityResponse(member_facility=member_facility_to_proto(view))


def check_response(answer: CoverageAnswer) -> pb.CheckJpkCoverageResponse:
    return pb.CheckJpkCoverageResponse(answer=answer_to_proto(answer))


def record_response(answer: CoverageAnswer) -> pb.RecordJpkCareResponse:
    return pb.RecordJpkCareResponse(record_id=answer.record_id or "", answer=answer_to_proto(answer),
                                    intensive_care_days_covered=answer.intensive_care_days_covered)


def exclusions_response() -> pb.ListJpkExclusionsResponse:
    return pb.ListJpkExclusionsResponse(exclusions=[pb.JpkExclusion(code=code, description=text)
                                                    for code, text in EXCLUSIONS.items()])
