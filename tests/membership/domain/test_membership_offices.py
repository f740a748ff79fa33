"""The office tree (O-1) and branch scope (O-2)."""
from __future__ import annotations

import pytest

from services.chassis.errors import InvalidArgument, NotFound, PermissionDenied
from services.membership.domain.offices import (
    DEFAULT_OFFICES,
    Office,
    OfficeLevel,
    OfficeTree,
    default_office_tree,
)

HEAD, REGIONAL, BRANCH = OfficeLevel.HEAD, OfficeLevel.REGIONAL, OfficeLevel.BRANCH
SUMBAGUT = {"KC-MEDAN", "KC-BINJAI", "KC-SIBOLGA"}


@pytest.fixture
def tree() -> OfficeTree:
    return default_office_tree()


def fields(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


@pytest.mark.rule("O-1")
def test_o1_default_tree_has_one_head_regionals_and_classed_branches(tree):
    assert tree.head.code == "KP"
    assert tree.get("KC-BINJAI").branch_class == 2
    assert tree.get("KC-MEDAN").branch_class == 1
    assert tree.regional_office_of("KC-BINJAI") == "KW-SUMBAGUT"
    assert tree.all_branches() == {"KC-MEDAN", "KC-BINJAI", "KC-SIBOLGA", "KC-JAKSEL", "KC-JAKPUS", "KC-JAKTIM"}
    assert tree.all_branches() == {o.code for o in DEFAULT_OFFICES if o.level is BRANCH}


@pytest.mark.rule("O-1")
def test_o1_tree_needs_exactly_one_head_office():
    with pytest.raises(InvalidArgument) as caught:
        OfficeTree([Office("KP", "Pusat", HEAD), Office("KP2", "Pusat 2", HEAD)])
    assert "offices" in fields(caught.value)
    with pytest.raises(InvalidArgument):
        OfficeTree([Office("KW", "Wilayah", REGIONAL, "KP")])


@pytest.mark.rule("O-1")
def test_o1_branch_must_hang_under_a_regional_office_and_have_a_class():
    with pytest.raises(InvalidArgument) as caught:
        OfficeTree([
            Office("KP", "Pusat", HEAD),
            Office("KW", "Wilayah", REGIONAL, "KP", branch_class=1),
            Office("KC-A", "A", BRANCH, "KP", 1),
            Office("KC-B", "B", BRANCH, "KW", None),
            Office("KC-C", "C", BRANCH, "KW", 4),
        ])
    assert fields(caught.value) == {
        "offices[1].branch_class", "offices[2].parent_code", "offices[3].branch_class", "offices[4].branch_class",
    }


@pytest.mark.rule("O-1")
def test_o1_regional_office_must_hang_under_the_head_office():
    with pytest.raises(InvalidArgument) as caught:
        OfficeTree([Office("KP", "Pusat", HEAD), Office("KW1", "W1", REGIONAL, "KP"),
                    Office("KW2", "W2", REGIONAL, "KW1")])
    assert fields(caught.value) == {"offices[2].parent_code"}


@pytest.mark.rule("O-1")
def test_o1_office_codes_are_unique():
    with pytest.raises(InvalidArgument) as caught:
        OfficeTree([Office("KP", "Pusat", HEAD), Office("KP", "Again", REGIONAL, "KP")])
    assert "offices[1].code" in fields(caught.value)


@pytest.mark.rule("O-2")
def test_o2_head_office_reads_every_branch(tree):
    assert tree.branches_readable_by("KP") == tree.all_branches()


@pytest.mark.rule("O-2")
def test_o2_regional_office_reads_only_its_branches(tree):
    assert tree.branches_readable_by("KW-SUMBAGUT") == SUMBAGUT
    assert tree.can_read("KW-SUMBAGUT", "KC-BINJAI")
    assert not tree.can_read("KW-SUMBAGUT", "KC-JAKSEL")


@pytest.mark.rule("O-2")
def test_o2_branch_reads_only_itself(tree):
    assert tree.branches_readable_by("KC-BINJAI") == {"KC-BINJAI"}
    assert not tree.can_read("KC-BINJAI", "KC-MEDAN")


@pytest.mark.rule("O-2")
def test_o2_unknown_office_reads_nothing(tree):
    assert tree.branches_readable_by("KC-NOWHERE") == frozenset()
    with pytest.raises(NotFound):
        tree.get("KC-NOWHERE")


@pytest.mark.rule("O-2")
def test_o2_only_the_branch_itself_changes_branch_data(tree):
    assert tree.can_write("KC-BINJAI", "KC-BINJAI")
    assert not tree.can_write("KC-MEDAN", "KC-BINJAI")
    assert not tree.can_write("KW-SUMBAGUT", "KC-BINJAI")
    assert not tree.can_write("KP", "KC-BINJAI")


@pytest.mark.rule("O-2")
def test_o2_regional_office_writes_only_where_a_rule_gives_it_a_step(tree):
    assert tree.can_write("KW-SUMBAGUT", "KC-BINJAI", acting_level=REGIONAL)
    assert not tree.can_write("KW-DKI", "KC-BINJAI", acting_level=REGIONAL)
    assert not tree.can_write("KC-BINJAI", "KC-BINJAI", acting_level=REGIONAL)
    assert tree.can_write("KP", "KC-BINJAI", acting_level=HEAD)


@pytest.mark.rule("O-2")
def test_o2_refused_access_says_who_may(tree):
    with pytest.raises(PermissionDenied, match="O-2.*KC-MEDAN.*KC-BINJAI"):
        tree.require_read("KC-MEDAN", "KC-BINJAI")
    with pytest.raises(PermissionDenied, match="regional office"):
        tree.require_write("KW-DKI", "KC-BINJAI", acting_level=REGIONAL)
    assert tree.require_read("KP", "KC-BINJAI") is None
    assert tree.require_write("KC-BINJAI", "KC-BINJAI") is None


@pytest.mark.rule("O-1")
def test_o1_office_level_may_be_given_as_text():
    assert Office("KP", "Pusat", "head").level is HEAD
    with pytest.raises(InvalidArgument):
        Office("KP", "Pusat", "EMBASSY")
