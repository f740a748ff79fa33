"""The read model of membership and contributions in the benefits database (rm_* tables):
the facts claims are decided on (M-4, M-8, C-8), written only by the consumers of those
services' events, by natural key, so a redelivered event leaves the same rows."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, MetaData, String, Table


def read_model_tables(metadata: MetaData) -> dict[str, Table]:
    workers = Table(
        "rm_workers", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("nik", String(16), nullable=False),
        Column("name", String(100), nullable=False),
        Column("birth_date", Date, nullable=False),
        Column("npp", String(12), nullable=False),  # the current (or last) employer
        Column("branch_code", String(30), nullable=False),
        Column("status", String(12), nullable=False),  # ACTIVE, NON_ACTIVE, DECEASED
        Column("marital_status", String(10), nullable=False),
        Column("programs", String(40), nullable=False),  # "JHT,JKK,JK,JPK"
        Column("member_since", Date, nullable=False),  # the first employment's start (M-3)
        Column("end_date", Date, nullable=True),  # last day worked after PHK (M-8)
        Column("end_reason", String(30), nullable=True),
        Column("death_date", Date, nullable=True),
    )
    employments = Table(
        "rm_employments", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("npp", String(12), primary_key=True),
        Column("start_date", Date, primary_key=True),
        Column("branch_code", String(30), nullable=False),
        Column("end_date", Date, nullable=True),
    )
    wages = Table(
        "rm_worker_wages", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("effective_date", Date, primary_key=True),
        Column("monthly_wage", BigInteger, nullable=False),
    )
    family = Table(
        "rm_family_members", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("name", String(100), nullable=False),
        Column("relation", String(10), nullable=False),  # SPOUSE, CHILD
        Column("birth_date", Date, nullable=True),
        Column("married", Boolean, nullable=False),
        Column("member_id", String(36), nullable=True),  # membership's stable id (M-6): how JPK names a dependant
    )
    employers = Table(
        "rm_employers", metadata,
        Column("npp", String(12), primary_key=True),
        Column("branch_code", String(30), nullable=False),
        Column("legal_name", String(200), nullable=False),
        Column("registration_date", Date, nullable=True),
        Column("status", String(12), nullable=False),
    )
    # C-8 history per employer: JPK asks when arrears were paid off (B-JPK-6).
    standing = Table(
        "rm_employer_standing", metadata,
        Column("npp", String(12), primary_key=True),
        Column("as_of", Date, primary_key=True),
        Column("branch_code", String(30), nullable=False),
        Column("in_arrears", Boolean, nullable=False),
        Column("good_standing", Boolean, nullable=False),
        Column("arrears_rupiah", BigInteger, nullable=False),
    )
    return {"workers": workers, "employments": employments, "wages": wages, "family": family,
            "employers": employers, "standing": standing}
