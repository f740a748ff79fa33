"""Personal attributes shared by workers (M-4) and family members (M-6)."""
from __future__ import annotations

from enum import Enum


class Sex(str, Enum):
    """Sex as recorded on the identity card; the NIK encodes it (women: birth day + 40)."""

    MALE = "MALE"
    FEMALE = "FEMALE"


class MaritalStatus(str, Enum):
    """Marital status (status perkawinan). Only MARRIED gives JPK dependants (M-6)."""

    SINGLE = "SINGLE"  # lajang / belum kawin
    MARRIED = "MARRIED"  # kawin
    DIVORCED = "DIVORCED"  # cerai hidup
    WIDOWED = "WIDOWED"  # cerai mati
