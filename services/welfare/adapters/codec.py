"""Small column codecs shared by the repositories: document sets and reason lists as text."""
from __future__ import annotations

import json
from collections.abc import Iterable

from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.reasons import Reason


def documents_text(documents: Iterable[DocumentKind]) -> str:
    return ",".join(sorted(d.value for d in documents))


def documents_of(text: str) -> frozenset[DocumentKind]:
    return frozenset(DocumentKind(d) for d in text.split(",") if d)


def reasons_text(reasons: Iterable[Reason]) -> str:
    return json.dumps([r.to_dict() for r in reasons])


def reasons_of(text: str) -> tuple[Reason, ...]:
    return tuple(Reason.from_dict(r) for r in json.loads(text))
