"""Tables of the benefits database: the platform's, the office replica (O-2 scope), the
rule tables benefits administers, the read model of membership and contributions, the
claims, the payouts and JPK's facilities, facility choices and care records."""
from sqlalchemy import MetaData

from services.benefits.adapters.claim_tables import claim_tables
from services.benefits.adapters.jpk_tables import jpk_tables
from services.benefits.adapters.payout_tables import payout_tables
from services.benefits.adapters.read_model_tables import read_model_tables
from services.chassis.office_replica import OfficeReplica
from services.chassis.rule_store import RuleStore
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
offices = OfficeReplica(metadata)
rule_store = RuleStore(metadata, "benefits")
read_model = read_model_tables(metadata)
claims = claim_tables(metadata)
payouts = payout_tables(metadata)
jpk = jpk_tables(metadata)
