"""B-JKK-5: the partial permanent disability table, as data with codes.

A partial permanent disability pays the table percentage of the body part x 80 months'
wage (scaled by the loss of function). The regulation's table (PP 84/2010 annex) is long;
these are the rows the rule book confirms from public sources. A row is a range where the
regulation leaves the doctor a range (scalp torn off 10-30%): the finding then names the
percentage within it.

The rows travel inside the dated JKK rule version (`benefit_rules.JkkRules.disability_rows`),
so a new table is a new version like every other figure; `DISABILITY_TABLE` is the one in
force today, indexed by code.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from services.chassis.errors import InvalidArgument

from .benefit_items import is_int

CODE_FIELD = "disabilities.code"


@dataclass(frozen=True)
class DisabilityRow:
    """One row: `percentage_min`..`percentage_max` whole percent (equal for a fixed row).

    `left_handed_code`: for a left-handed worker this row pays the percentage of that row
    instead (the arms: the working arm is worth more, and it is the left one).
    """

    code: str
    body_part: str
    percentage_min: int
    percentage_max: int
    left_handed_code: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise InvalidArgument.field("disability_rows.code", "a row needs a code")
        lo, hi = self.percentage_min, self.percentage_max
        if not (is_int(lo) and is_int(hi) and 0 < lo <= hi <= 100):
            raise InvalidArgument.field("disability_rows.percentage", f"{self.code}: needs 0 < min <= max <= 100")

    @property
    def is_range(self) -> bool:
        return self.percentage_min != self.percentage_max

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "body_part": self.body_part, "percentage_min": self.percentage_min,
                "percentage_max": self.percentage_max, "left_handed_code": self.left_handed_code}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DisabilityRow:
        return cls(data["code"], data["body_part"], data["percentage_min"], data["percentage_max"],
                   data.get("left_handed_code"))


#: The rows the rule book confirms (B-JKK-5), PP 84/2010 annex.
DISABILITY_ROWS: tuple[DisabilityRow, ...] = (
    DisabilityRow("SIGHT_BOTH_EYES", "sight of both eyes", 70, 70),
    DisabilityRow("SIGHT_ONE_EYE", "sight of one eye", 35, 35),
    DisabilityRow("HEARING_BOTH_EARS", "hearing of both ears", 40, 40),
    DisabilityRow("HEARING_ONE_EAR", "hearing of one ear", 20, 20),
    DisabilityRow("RIGHT_ARM_FROM_SHOULDER", "right arm from the shoulder", 40, 40,
                  left_handed_code="LEFT_ARM_FROM_SHOULDER"),
    DisabilityRow("LEFT_ARM_FROM_SHOULDER", "left arm from the shoulder", 35, 35,
                  left_handed_code="RIGHT_ARM_FROM_SHOULDER"),
    DisabilityRow("SCALP_TORN_OFF", "scalp torn off", 10, 30),
    DisabilityRow("EAR_LOBE_ONE", "one ear lobe", 5, 5),
    DisabilityRow("EAR_LOBES_BOTH", "both ear lobes", 10, 10),
    DisabilityRow("LOSS_OF_SMELL", "sense of smell", 10, 10),
    DisabilityRow("NASAL_SEPTUM_PERFORATED", "perforated nasal septum", 15, 15),
    DisabilityRow("COLOUR_VISION", "colour vision", 10, 10),
)


def index_rows(rows: Iterable[DisabilityRow]) -> Mapping[str, DisabilityRow]:
    """Rows by code; a duplicate code or a left-handed mirror that is not in the table is
    refused (a table that cannot answer every lookup is a bad version)."""
    table: dict[str, DisabilityRow] = {}
    for row in rows:
        if row.code in table:
            raise InvalidArgument.field("disability_rows.code", f"{row.code} appears twice")
        table[row.code] = row
    for row in table.values():
        if row.left_handed_code is not None and row.left_handed_code not in table:
            raise InvalidArgument.field("disability_rows.left_handed_code", f"{row.code}: no row {row.left_handed_code}")
    return MappingProxyType(table)


#: Code -> row, the table in force (PP 84/2010).
DISABILITY_TABLE: Mapping[str, DisabilityRow] = index_rows(DISABILITY_ROWS)


def lookup(code: object, table: Mapping[str, DisabilityRow] = DISABILITY_TABLE) -> DisabilityRow:
    """The row of `code`; an unknown code is INVALID_ARGUMENT on `disabilities.code`."""
    if isinstance(code, str) and code in table:
        return table[code]
    raise InvalidArgument.field(CODE_FIELD, f"unknown disability code {str(code)[:40]!r}: use one of "
                                            + ", ".join(sorted(table)))


def for_worker(code: object, *, left_handed: bool,
               table: Mapping[str, DisabilityRow] = DISABILITY_TABLE) -> DisabilityRow:
    """The row as it applies to this worker: for a left-handed worker a mirrored row keeps
    its code and body part but takes the mirror's percentages (left arm 40, right arm 35)."""
    row = lookup(code, table)
    if not left_handed or row.left_handed_code is None:
        return row
    mirror = table[row.left_handed_code]
    return replace(row, percentage_min=mirror.percentage_min, percentage_max=mirror.percentage_max)
