"""Which rule of docs/rules.md is proved by which test and named by which module.

`make rules` prints, for every rule id of docs/rules.md: how many tests carry it in a
`@pytest.mark.rule(...)` marker, their names, and the modules under services/ whose
strings or comments name exactly that id ("C-6" is not "C-6a"). Then the rules no test
names, and the ids used in code or tests that the rule book does not have.

Everything is read statically (ast, tokenize): no test is run, nothing is imported.
tests/test_rule_book.py uses the same functions to keep the ids honest.
"""
from __future__ import annotations

import ast
import io
import re
import sys
import textwrap
import tokenize
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "docs" / "rules.md"
# The shape of a rule id: O-2, C-6a, B-JHT-1, W-S-2.
ID = re.compile(r"\b[OMCBW](?:-[A-Z]+)*-(?:\d+a?|[A-Z]+)\b")


# A rule line ends with its source in parentheses: "*(guide; amounts PP 84/2010)*".
SOURCE = re.compile(r"\s\*\(([^()]+)\)\*$")


def rule_book(path: Path = BOOK) -> dict[str, str]:
    """Rule id -> summary, in the order of the page (lines like "- `C-6` Due on ...")."""
    lines = re.findall(r"^- `([^`]+)` (.+)$", path.read_text(encoding="utf-8"), re.M)
    return dict(lines)


def split_source(summary: str) -> tuple[str, str]:
    """A rule line's text and its source ("" when the line names none)."""
    found = SOURCE.search(summary)
    return (summary[:found.start()], found.group(1)) if found else (summary, "")


def _sources(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def _is_rule_marker(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) in ("pytest.mark.rule", "mark.rule")


def marked_tests(folder: Path = ROOT / "tests") -> dict[str, list[tuple[str, str]]]:
    """Rule id -> (test file, name) of each test function or class whose rule marker names it."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path, source in _sources(folder):
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for marker in filter(_is_rule_marker, node.decorator_list):
                    for arg in marker.args:
                        rule = arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg)
                        found[str(rule)].append((str(path.relative_to(ROOT)), node.name))
    return found


def named_ids(folder: Path) -> dict[str, set[str]]:
    """Id-shaped words in string literals and comments -> dotted modules naming them."""
    found: dict[str, set[str]] = defaultdict(set)
    for path, source in _sources(folder):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.STRING, tokenize.COMMENT):
                for rule in ID.findall(token.string):
                    found[rule].add(module)
    return found


def raised_ids(folder: Path = ROOT / "services") -> dict[str, list[str]]:
    """Rule id -> "path:line" of each `RuleViolation("X-n", ...)` with a literal id."""
    found: dict[str, list[str]] = defaultdict(list)
    for path, source in _sources(folder):
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("RuleViolation"):
                args = node.args[:1] + [k.value for k in node.keywords if k.arg == "rule_id"]
                for arg in args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found[arg.value].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def unknown_ids(book: dict[str, str]) -> dict[str, set[str]]:
    """Ids named in services/ or tests/ (markers, strings, comments) missing from the book."""
    used: dict[str, set[str]] = defaultdict(set)
    for folder in (ROOT / "services", ROOT / "tests"):
        for rule, modules in named_ids(folder).items():
            used[rule] |= modules
    for rule, tests in marked_tests().items():
        used[rule] |= {f"@pytest.mark.rule on {name}" for _, name in tests}
    return {rule: where for rule, where in sorted(used.items()) if rule not in book}


def _wrapped(label: str, items) -> str:
    text = f"{label}: " + (", ".join(items) or "-")
    return textwrap.fill(text, width=100, initial_indent="    ", subsequent_indent="      ",
                         break_long_words=False, break_on_hyphens=False)


def main() -> int:
    book = rule_book()
    tests, code = marked_tests(), named_ids(ROOT / "services")
    for rule in book:
        print(f"{rule:8} {len(tests.get(rule, [])):3} tests  {textwrap.shorten(book[rule], 72)}")
        if rule in tests:
            print(_wrapped("tests", sorted({name for _, name in tests[rule]})))
        if rule in code:
            print(_wrapped("code", (m.removeprefix("services.") for m in sorted(code[rule]))))
    untested = [rule for rule in book if rule not in tests]
    print(f"\nrules no test names ({len(untested)}):")
    print(_wrapped("rules", untested))
    unknown = unknown_ids(book)
    print(f"\nids used in code or tests that the rule book does not have ({len(unknown)}):")
    for rule, where in unknown.items():
        print(_wrapped(rule, sorted(where)))
    marked = {test for names in tests.values() for test in names}
    print(f"\nsummary: {len(book)} rules in docs/rules.md, {len(book) - len(untested)} named by "
          f"{len(marked)} marked tests, {len(untested)} named by no test, {len(unknown)} unknown ids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
