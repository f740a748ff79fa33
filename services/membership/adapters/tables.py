"""Tables of the membership database (and the platform tables every service has)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint,
)

from services.chassis.tables import BigId, add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)

offices = Table(
    "offices", metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(10), nullable=False),
    Column("parent_code", String(30), nullable=True),
    Column("branch_class", Integer, nullable=True),
)

# Number issuance (NPP, KPJ): one row per sequence, advanced inside the transaction
# that uses the number, so a rolled-back registration does not burn a number.
sequences = Table(
    "number_sequences", metadata,
    Column("name", String(30), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)

employers = Table(
    "employers", metadata,
    Column("npp", String(12), primary_key=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("legal_name", String(200), nullable=False),
    Column("name_normalised", String(200), nullable=False, index=True),
    Column("sector", String(100), nullable=False),
    Column("address", Text, nullable=False),
    Column("address_normalised", Text, nullable=False),
    Column("registration_date", Date, nullable=False),
    Column("risk_group", Integer, nullable=False),
    Column("risk_group_effective_date", Date, nullable=False),
    Column("tax_number", String(20), nullable=True, index=True),
    Column("kind", String(30), nullable=False),
    Column("status", String(10), nullable=False),
    Column("project_name", String(200), nullable=True),
    Column("project_contract_value", BigInteger, nullable=True),
    Column("project_start_date", Date, nullable=True),
    Column("project_end_date", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Effective-dated history of what contributions need per period (C-3 rate by risk group).
# One row per address and the day it holds from; a change may be dated ahead (M-1, 0009).
employer_addresses = Table(
    "employer_addresses", metadata,
    Column("npp", String(12), ForeignKey("employers.npp"), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("address", Text, nullable=False),
)

employer_risk_groups = Table(
    "employer_risk_groups", metadata,
    Column("npp", String(12), ForeignKey("employers.npp"), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("risk_group", Integer, nullable=False),
)

pwbd_candidates = Table(
    "pwbd_candidates", metadata,
    Column("candidate_id", String(36), primary_key=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("name_normalised", String(200), nullable=False, index=True),
    Column("address", Text, nullable=False),
    Column("address_normalised", Text, nullable=False),
    Column("tax_number", String(20), nullable=True, index=True),
    Column("sector", String(100), nullable=True),
    Column("estimated_workers", Integer, nullable=False),
    Column("status", String(15), nullable=False),
    Column("registered_npp", String(12), nullable=True),
    Column("source", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_pwbd_branch_status", "branch_code", "status"),
)

pwbd_notice_letters = Table(
    "pwbd_notice_letters", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("candidate_id", String(36), ForeignKey("pwbd_candidates.candidate_id"), nullable=False, index=True),
    Column("letter_number", String(100), nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    UniqueConstraint("candidate_id", "letter_number", name="uq_pwbd_letter"),
)

# One row per person (NIK) for life: the KPJ never changes (M-3). npp/branch_code are
# the current (or last) employment; the periods are in `employments`.
workers = Table(
    "workers", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("nik", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(6), nullable=False),
    Column("marital_status", String(10), nullable=False),
    Column("monthly_wage", BigInteger, nullable=False),
    Column("npp", String(12), ForeignKey("employers.npp"), nullable=False, index=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("programs", String(30), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(20), nullable=True),
    Column("death_date", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Migration 0008: total permanent disability established by benefits (M-4, B-JKK-6).
    Column("totally_disabled_on", Date, nullable=True),
)

employments = Table(
    "employments", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kpj", String(11), ForeignKey("workers.kpj"), nullable=False, index=True),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(20), nullable=True),
)

wage_history = Table(
    "wage_history", metadata,
    Column("kpj", String(11), ForeignKey("workers.kpj"), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("monthly_wage", BigInteger, nullable=False),
)

family_members = Table(
    "family_members", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kpj", String(11), ForeignKey("workers.kpj"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("relation", String(10), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("married", Boolean, nullable=False),
    Column("nik", String(16), nullable=True),
    Column("position", Integer, nullable=False),
    # Stable across ChangeFamily calls that name the same person (migration 0009).
    Column("member_id", String(36), nullable=False),
)

# One row per reported marital status and the day it holds from (M-6, migration 0009).
marital_status_history = Table(
    "marital_status_history", metadata,
    Column("kpj", String(11), ForeignKey("workers.kpj"), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("marital_status", String(10), nullable=False),
)

cards = Table(
    "cards", metadata,
    Column("card_number", String(30), primary_key=True),
    Column("card_type", String(5), nullable=False),
    Column("kpj", String(11), ForeignKey("workers.kpj"), nullable=False, index=True),
    Column("holder_name", String(200), nullable=False),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("issued_by", String(100), nullable=False),
)

# Bulk enrolment: the outcome of every row of a batch, so a resent batch answers from here.
bulk_enrol_rows = Table(
    "bulk_enrol_rows", metadata,
    Column("request_id", String(100), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("npp", String(12), nullable=False),
    Column("outcome", String(15), nullable=False),
    Column("kpj", String(11), nullable=True),
    Column("reasons", Text, nullable=True),
    # sha256 of the row as sent (migration 0004): a different row under a reused request
    # id is refused rather than answered as UNCHANGED.
    Column("row_fingerprint", String(64), nullable=True),
)
