"""The project's own pages point only inside the repository: a fresh clone has everything
they name (the rule book is docs/rules.md, not the documents it was written from)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "services").glob("*/README.md")),
         ROOT / "deploy" / "README.md"]
OUTSIDE = re.compile(r"\.\./|/work/|domain\.md|architecture\.md|seeds?/|\bseed \d{3}\b")


def test_no_page_names_a_file_outside_the_repository():
    found = {str(page.relative_to(ROOT)): OUTSIDE.findall(page.read_text(encoding="utf-8")) for page in PAGES}
    assert {page: hits for page, hits in found.items() if hits} == {}


def test_every_docs_path_a_page_names_exists():
    named = {path for page in PAGES for path in re.findall(r"`(docs/[\w./-]+\.md)`", page.read_text(encoding="utf-8"))}
    assert named, "no page names a docs/ page"
    assert [path for path in sorted(named) if not (ROOT / path).is_file()] == []
