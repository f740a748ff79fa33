"""The audit record of one change or lookup: who (user, office), when, what, why."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import context


def audit_row(action: str, subject: str, detail: dict[str, Any] | str, reason: str | None = None) -> dict[str, Any]:
    """The audit table's row for the caller in context (the process itself when none)."""
    principal = context.optional_principal() or context.SYSTEM
    return {
        "at": datetime.now(UTC),
        "user_id": principal.user_id,
        "office_code": principal.office_code,
        "action": action,
        "subject": subject,
        "detail": detail if isinstance(detail, str) else json.dumps(detail, default=str, sort_keys=True),
        "reason": reason,
    }
