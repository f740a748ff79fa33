"""Rule ids are spelled one way: every id a test marker or a RuleViolation names is in docs/rules.md.

The analysis is the one `make rules` prints (scripts/rules.py), read statically.
"""
import importlib.util
import re
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "rules.py"
_spec = importlib.util.spec_from_file_location("jamsos_rules_script", _SCRIPT)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

# Ids the code raises that the rule book does not have yet. Each entry is a known gap;
# none is left (rule tables name the rule whose figures they hold).
NOT_IN_THE_BOOK_YET: set[str] = set()


@pytest.fixture(scope="module")
def book():
    return rules.rule_book()


def test_the_rule_book_lists_ids_of_the_rule_id_shape_once_each(book):
    text = rules.BOOK.read_text(encoding="utf-8")
    assert len(book) >= 50
    assert all(rules.ID.fullmatch(rule) for rule in book)
    assert all(text.count(f"- `{rule}` ") == 1 for rule in book)


def test_every_rule_marker_names_an_id_of_the_rule_book(book):
    marked = rules.marked_tests()
    assert marked, "no @pytest.mark.rule(...) marker found under tests/"
    unknown = {rule: tests for rule, tests in marked.items() if rule not in book}
    assert unknown == {}


def test_every_rule_violation_the_code_raises_names_an_id_of_the_rule_book(book):
    raised = rules.raised_ids()
    assert raised, "no RuleViolation(...) with a literal rule id found under services/"
    unknown = {rule: where for rule, where in raised.items()
               if rule not in book and rule not in NOT_IN_THE_BOOK_YET}
    assert unknown == {}


def test_the_allow_list_holds_only_ids_the_book_still_lacks(book):
    assert NOT_IN_THE_BOOK_YET.isdisjoint(book)


def test_every_rule_names_its_source_a_label_the_book_defines_or_a_regulation(book):
    # The labels are the ones docs/rules.md explains ("*agency*: ..."); a regulation is named by number.
    labels = {"agency", "guide", "design"}
    text = rules.BOOK.read_text(encoding="utf-8")
    assert all(f"- *{label}*: " in text for label in labels)
    sources = {rule: rules.split_source(summary)[1] for rule, summary in book.items()}
    assert [rule for rule, source in sources.items() if not source] == []
    for rule, source in sources.items():
        named = {part.strip() for part in re.split(r"[;,]", source)}
        assert named & labels or any(re.search(r"\bPP \d+/\d{4}\b", part) for part in named), (rule, source)
