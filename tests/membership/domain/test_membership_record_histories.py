"""Pure rules of the record histories: marital status on a date, stable family member ids."""
from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from services.chassis.errors import InvalidArgument
from services.membership.domain.family import FamilyMember, Relation, assign_member_ids
from services.membership.domain.marital_history import MaritalStatusEntry, status_on, with_report
from services.membership.domain.person import MaritalStatus as M


@pytest.mark.rule("M-6")
def test_m6_status_on_a_day_is_the_latest_report_on_or_before_it_and_the_first_known_before_all():
    history = with_report((MaritalStatusEntry(date(1990, 1, 1), M.SINGLE),), MaritalStatusEntry(date(2015, 6, 1), M.MARRIED))
    history = with_report(history, MaritalStatusEntry(date(2015, 6, 1), M.WIDOWED))  # same day: replaces
    assert [e.status for e in history] == [M.SINGLE, M.WIDOWED]
    assert (status_on(history, date(2015, 5, 31)), status_on(history, date(2015, 6, 1))) == (M.SINGLE, M.WIDOWED)
    assert status_on(history, date(1980, 1, 1)) is M.SINGLE and status_on((), date(2000, 1, 1)) is None


@pytest.mark.rule("M-6")
def test_m6_member_ids_follow_the_same_person_by_id_nik_or_name_and_birth_date():
    ids = (f"id-{n}" for n in count(1))
    first = assign_member_ids((), [FamilyMember("Ani", Relation.CHILD, date(2010, 1, 1), nik="1275014101100001"),
                                   FamilyMember("Budi", Relation.CHILD, date(2012, 1, 1))], lambda: next(ids))
    assert [m.member_id for m in first] == ["id-1", "id-2"]
    again = assign_member_ids(first, [FamilyMember("BUDI ", Relation.CHILD, date(2012, 1, 1)),
                                      FamilyMember("Ani Renamed", Relation.CHILD, date(2010, 1, 1), nik="1275014101100001"),
                                      FamilyMember("Budi", Relation.CHILD, date(2013, 1, 1))], lambda: next(ids))
    assert [m.member_id for m in again] == ["id-2", "id-1", "id-3"]
    with pytest.raises(InvalidArgument) as err:
        assign_member_ids(first, [FamilyMember("X", Relation.CHILD, date(2010, 1, 1), member_id="id-1"),
                                  FamilyMember("Y", Relation.CHILD, date(2011, 1, 1), member_id="id-1")], lambda: "n")
    assert [v.field for v in err.value.violations] == ["family[1].member_id"]
