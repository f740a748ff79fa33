"""Tables of the benefits database: the platform's, the office replica (O-2 scope) and the
rule tables benefits administers (benefit amounts and caps by effective date)."""
from sqlalchemy import MetaData

from services.chassis.office_replica import OfficeReplica
from services.chassis.rule_store import RuleStore
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
offices = OfficeReplica(metadata)
rule_store = RuleStore(metadata, "benefits")
