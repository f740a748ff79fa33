"""Benefits: JPK's facility registry, the members' facility choices and the care records
(B-JPK-2..5); the B-JHT-3 clock of a claim on hold (claims.held_on); membership's stable
family-member id in the read model (M-6); and the rule book's benefit tables stored as the
first version of each (rule_versions, created by "seed").

Hand-checked (mirrors services/benefits/adapters/jpk_tables.py, claim_tables.py,
read_model_tables.py). The seeded versions are written out here, not read from the domain,
so this migration stays what it was when a table's figures change in code.

Revision ID: 0006
Revises: 0005
"""
import json
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEEDED_VERSIONS = [('benefits_jht_rules',
  {'effective_from': '1993-02-27',
   'source': 'PP 14/1993 (seed 003): B-JHT-1, B-JHT-3',
   'retirement_age': 55,
   'minimum_membership_months': 60,
   'waiting_period_months': 1,
   'payment_days': 30,
   'at_risk_days': 7}),
 ('benefits_accident_report_rules',
  {'effective_from': '1993-02-27',
   'source': 'UU 3/1992, PP 14/1993 (seed 003): B-JKK-1',
   'report_within_hours': 48}),
 ('benefits_jkk_rules',
  {'effective_from': '2010-12-20',
   'source': 'PP 84/2010 (seed 003): B-JKK-2..8',
   'transport_caps': {'LAND': 750000, 'SEA': 1000000, 'AIR': 2000000},
   'stmb_blocks': [{'months': 4, 'rate_bp': 10000},
                   {'months': 4, 'rate_bp': 7500},
                   {'months': None, 'rate_bp': 5000}],
   'stmb_days_per_month': 30,
   'medical_cap': 20000000,
   'dentures_cap': 2000000,
   'disability_wage_months': 80,
   'disability_rows': [{'code': 'SIGHT_BOTH_EYES',
                        'body_part': 'sight of both eyes',
                        'percentage_min': 70,
                        'percentage_max': 70,
                        'left_handed_code': None},
                       {'code': 'SIGHT_ONE_EYE',
                        'body_part': 'sight of one eye',
                        'percentage_min': 35,
                        'percentage_max': 35,
                        'left_handed_code': None},
                       {'code': 'HEARING_BOTH_EARS',
                        'body_part': 'hearing of both ears',
                        'percentage_min': 40,
                        'percentage_max': 40,
                        'left_handed_code': None},
                       {'code': 'HEARING_ONE_EAR',
                        'body_part': 'hearing of one ear',
                        'percentage_min': 20,
                        'percentage_max': 20,
                        'left_handed_code': None},
                       {'code': 'RIGHT_ARM_FROM_SHOULDER',
                        'body_part': 'right arm from the shoulder',
                        'percentage_min': 40,
                        'percentage_max': 40,
                        'left_handed_code': 'LEFT_ARM_FROM_SHOULDER'},
                       {'code': 'LEFT_ARM_FROM_SHOULDER',
                        'body_part': 'left arm from the shoulder',
                        'percentage_min': 35,
                        'percentage_max': 35,
                        'left_handed_code': 'RIGHT_ARM_FROM_SHOULDER'},
                       {'code': 'SCALP_TORN_OFF',
                        'body_part': 'scalp torn off',
                        'percentage_min': 10,
                        'percentage_max': 30,
                        'left_handed_code': None},
                       {'code': 'EAR_LOBE_ONE',
                        'body_part': 'one ear lobe',
                        'percentage_min': 5,
                        'percentage_max': 5,
                        'left_handed_code': None},
                       {'code': 'EAR_LOBES_BOTH',
                        'body_part': 'both ear lobes',
                        'percentage_min': 10,
                        'percentage_max': 10,
                        'left_handed_code': None},
                       {'code': 'LOSS_OF_SMELL',
                        'body_part': 'sense of smell',
                        'percentage_min': 10,
                        'percentage_max': 10,
                        'left_handed_code': None},
                       {'code': 'NASAL_SEPTUM_PERFORATED',
                        'body_part': 'perforated nasal septum',
                        'percentage_min': 15,
                        'percentage_max': 15,
                        'left_handed_code': None},
                       {'code': 'COLOUR_VISION',
                        'body_part': 'colour vision',
                        'percentage_min': 10,
                        'percentage_max': 10,
                        'left_handed_code': None}],
   'total_disability_bp': 7000,
   'death_bp': 6000,
   'periodic_monthly': 200000,
   'periodic_months': 24,
   'funeral': 2000000,
   'rehabilitation_markup_bp': 4000,
   'medical_rehabilitation_cap': 2000000}),
 ('benefits_jk_rules',
  {'effective_from': '2010-12-20',
   'regulation': 'PP 84/2010',
   'lump_sum': 14200000,
   'periodic_monthly': 200000,
   'periodic_months': 24,
   'periodic_at_once': 4800000,
   'funeral': 2000000,
   'scholarship': 0,
   'periodic_monthly_offered': True,
   'source': 'rule book B-JK-1; date to confirm'}),
 ('benefits_jk_rules',
  {'effective_from': '2015-07-01',
   'regulation': 'PP 44/2015',
   'lump_sum': 16200000,
   'periodic_monthly': 200000,
   'periodic_months': 24,
   'periodic_at_once': 4800000,
   'funeral': 3000000,
   'scholarship': 12000000,
   'periodic_monthly_offered': False,
   'source': 'rule book B-JK-1; date and the at-once payment to confirm'}),
 ('benefits_jk_rules',
  {'effective_from': '2019-12-02',
   'regulation': 'PP 82/2019',
   'lump_sum': 20000000,
   'periodic_monthly': 500000,
   'periodic_months': 24,
   'periodic_at_once': 12000000,
   'funeral': 10000000,
   'scholarship': 0,
   'periodic_monthly_offered': False,
   'source': 'rule book B-JK-1; date, the at-once payment and the scholarship to confirm'}),
 ('benefits_jpk_rules',
  {'effective_from': '1993-01-01',
   'source': 'seed 003 (Jamsostek JPK, PP 14/1993)',
   'childbirth_limit': 3,
   'facility_change_after_months': 6,
   'emergency_outside_network_max_days': 7,
   'care_days_per_case_per_year': 60,
   'intensive_care_max_days': 20,
   'claim_deadline_months': 3,
   'extra_checkup_from_age': 40,
   'dependant_children_max': 3,
   'dependant_child_age_limit': 21})]


def upgrade() -> None:
    op.create_table('jpk_facilities',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('appointed_from', sa.Date(), nullable=False),
    sa.Column('appointed_until', sa.Date(), nullable=True),
    sa.Column('registered_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index('ix_jpk_facilities_branch', 'jpk_facilities', ['branch_code', 'code'])
    op.create_table('jpk_facility_choices',
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('facility_code', sa.String(length=30), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('moved_house', sa.Boolean(), nullable=False),
    sa.Column('chosen_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kpj', 'since')
    )
    op.create_table('jpk_care_records',
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('dependant_id', sa.String(length=36), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('care_kind', sa.String(length=24), nullable=False),
    sa.Column('case_code', sa.String(length=20), nullable=False),
    sa.Column('facility_code', sa.String(length=64), nullable=False),
    sa.Column('care_on', sa.Date(), nullable=False),
    sa.Column('days_covered', sa.Integer(), nullable=False),
    sa.Column('intensive_care_days_covered', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_id'),
    sa.UniqueConstraint('kpj', 'dependant_id', 'care_kind', 'case_code', 'facility_code', 'care_on',
                        name='uq_jpk_care_once')
    )
    op.create_index('ix_jpk_care_person', 'jpk_care_records', ['kpj', 'dependant_id', 'case_code', 'care_on'])
    with op.batch_alter_table('claims') as batch:
        batch.add_column(sa.Column('held_on', sa.Date(), nullable=True))
    with op.batch_alter_table('rm_family_members') as batch:
        batch.add_column(sa.Column('member_id', sa.String(length=36), nullable=True))
    rule_versions = sa.table('rule_versions', sa.column('table_name', sa.String), sa.column('effective_from', sa.Date),
                             sa.column('payload', sa.Text), sa.column('created_by', sa.String),
                             sa.column('created_at', sa.DateTime(timezone=True)), sa.column('reason', sa.Text))
    now = datetime.now(UTC)
    op.bulk_insert(rule_versions, [
        {'table_name': name, 'effective_from': date.fromisoformat(payload['effective_from']),
         'payload': json.dumps(payload, sort_keys=True), 'created_by': 'seed', 'created_at': now,
         'reason': 'the rule book (docs/domain.md), seeded by migration 0006'}
        for name, payload in SEEDED_VERSIONS])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM rule_versions WHERE created_by = 'seed' AND table_name LIKE 'benefits_%'"))
    with op.batch_alter_table('rm_family_members') as batch:
        batch.drop_column('member_id')
    with op.batch_alter_table('claims') as batch:
        batch.drop_column('held_on')
    op.drop_index('ix_jpk_care_person', table_name='jpk_care_records')
    op.drop_table('jpk_care_records')
    op.drop_table('jpk_facility_choices')
    op.drop_index('ix_jpk_facilities_branch', table_name='jpk_facilities')
    op.drop_table('jpk_facilities')
