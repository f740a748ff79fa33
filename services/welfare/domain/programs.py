"""The welfare programs and the rule each one's loan steps answer to."""
from __future__ import annotations

from enum import Enum


class Program(str, Enum):
    SCHOLARSHIP = "SCHOLARSHIP"  # beasiswa (W-S-1, W-S-2)
    PUMP = "PUMP"  # Pinjaman Uang Muka Perumahan (W-P-1..W-P-5)
    COOPERATIVE_LOAN = "COOPERATIVE_LOAN"  # pinjaman koperasi karyawan (W-K-1..W-K-3)
    PARTNERSHIP_LOAN = "PARTNERSHIP_LOAN"  # Program Kemitraan (W-M-1, W-M-2)


class Fund(str, Enum):
    """Where a program's loans are lent from: the region's DPKP fund, or the partnership
    program's money (state-enterprise profit, W-M-1)."""

    DPKP = "DPKP"
    PARTNERSHIP = "PARTNERSHIP"


FUND_OF = {Program.PUMP: Fund.DPKP, Program.COOPERATIVE_LOAN: Fund.DPKP, Program.PARTNERSHIP_LOAN: Fund.PARTNERSHIP}

# The rule that names a program's agreement, transfer and instalment steps.
LOAN_STEPS_RULE = {Program.PUMP: "W-P-5", Program.COOPERATIVE_LOAN: "W-K-3", Program.PARTNERSHIP_LOAN: "W-M-1"}
# The rule that names a program's transfer (disbursement) step.
TRANSFER_RULE = {Program.PUMP: "W-P-4", Program.COOPERATIVE_LOAN: "W-K-3", Program.PARTNERSHIP_LOAN: "W-M-1"}
