"""A rejection names the rule the claim did not meet and why (the rejection letter's text):
the rule id is one of the rules a benefit claim is decided by, the code is machine-readable."""
from __future__ import annotations

import re

from services.chassis.errors import Violations

from .claims import Rejection

# The rules a claim can fail: membership's record (M-4, M-8), the four-eyes rule (O-4) and
# every benefit rule of the book.
REJECTION_RULES = frozenset({
    "M-4", "M-8", "O-4",
    "B-JHT-1", "B-JHT-2", "B-JHT-3",
    "B-JKK-1", "B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-5", "B-JKK-6", "B-JKK-7", "B-JKK-8", "B-JKK-9",
    "B-JK-1",
    "B-JPK-1", "B-JPK-2", "B-JPK-3", "B-JPK-4", "B-JPK-5", "B-JPK-6", "B-JPK-7",
})  # spelled out: every id is found by one search
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,59}")
REASON_MAX = 2000


def validate_rejection(rule_id: str, code: str, reason: str) -> Rejection:
    """InvalidArgument naming `rule_id`, `reason_code` or `reason` when one is missing or unknown."""
    v = Violations()
    rule = rule_id.strip().upper()
    if not rule:
        v.add("rule_id", "is required: the rule the claim did not meet")
    elif rule not in REJECTION_RULES:
        v.add("rule_id", f"{rule_id} is not a rule a benefit claim is decided by")
    reason_code = code.strip().upper()
    if not reason_code:
        v.add("reason_code", "is required, e.g. MEMBERSHIP_UNDER_5_YEARS")
    elif not _CODE.fullmatch(reason_code):
        v.add("reason_code", "upper-case letters, digits and underscores")
    text = " ".join(reason.split())
    if not text:
        v.add("reason", "is required: the rejection letter says why")
    elif len(text) > REASON_MAX:
        v.add("reason", f"at most {REASON_MAX} characters")
    v.raise_if_any()
    return Rejection(rule, reason_code, text)
