"""The audit record of one change or lookup: who (user, office), when, what, why."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import context


def audit_row(action: str, subject: str, detail: dict[str, Any] | str, reason: str | None = None, *,
              principal: context.Principal | None = None) -> dict[str, Any]:
    """The audit table's row for `principal` (default: the caller in context, else the
    process itself), cut to the table's column widths: a long user id from a token must
    not fail the change it records."""
    who = principal or context.optional_principal() or context.SYSTEM
    return {
        "at": datetime.now(UTC),
        "user_id": who.user_id[:100],
        "office_code": who.office_code[:50],
        "action": action,
        "subject": subject[:200],
        "detail": detail if isinstance(detail, str) else json.dumps(detail, default=str, sort_keys=True),
        "reason": reason,
    }
