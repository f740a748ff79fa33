"""The JPK tables: the facility registry of each branch (B-JPK-4), the member's first-level
facility as a history (B-JPK-3), and the care the cover paid (B-JPK-2 childbirths, B-JPK-5
care days per case per year)."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table, UniqueConstraint


def jpk_tables(metadata: MetaData) -> dict[str, Table]:
    facilities = Table(
        "jpk_facilities", metadata,
        Column("code", String(30), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("branch_code", String(30), nullable=False),
        Column("kind", String(12), nullable=False),  # PUSKESMAS, CLINIC, HOSPITAL
        Column("appointed_from", Date, nullable=False),
        Column("appointed_until", Date, nullable=True),
        Column("registered_by", String(100), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_jpk_facilities_branch", "branch_code", "code"),
    )
    choices = Table(
        "jpk_facility_choices", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("since", Date, primary_key=True),
        Column("facility_code", String(30), nullable=False),
        Column("branch_code", String(30), nullable=False),  # the member's branch (O-2)
        Column("moved_house", Boolean, nullable=False),
        Column("chosen_by", String(100), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    care = Table(
        "jpk_care_records", metadata,
        Column("record_id", String(36), primary_key=True),
        Column("kpj", String(11), nullable=False),
        Column("dependant_id", String(36), nullable=False),  # "" for the worker
        Column("branch_code", String(30), nullable=False),
        Column("care_kind", String(24), nullable=False),
        Column("case_code", String(20), nullable=False),  # "" when the care has no stay
        Column("facility_code", String(64), nullable=False),
        Column("care_on", Date, nullable=False),
        Column("days_covered", Integer, nullable=False),
        Column("intensive_care_days_covered", Integer, nullable=False),
        Column("recorded_by", String(100), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("kpj", "dependant_id", "care_kind", "case_code", "facility_code", "care_on",
                         name="uq_jpk_care_once"),
        Index("ix_jpk_care_person", "kpj", "dependant_id", "case_code", "care_on"),
    )
    return {"facilities": facilities, "choices": choices, "care": care}
