"""Tables of the welfare database: the platform's, the office replica (O-2 scope), the
rule tables welfare administers, and a replica of contributions' tables (the UMK, W-S-2)."""
from sqlalchemy import MetaData

from services.chassis.office_replica import OfficeReplica
from services.chassis.rule_store import RuleReplica, RuleStore
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
offices = OfficeReplica(metadata)
rule_store = RuleStore(metadata, "welfare")
contributions_rules = RuleReplica(metadata, "contributions")  # umk_rates by branch (C-6a, W-S-2)
