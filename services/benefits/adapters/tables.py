"""Tables of the benefits database: the platform's, the office replica (O-2 scope), the
rule tables benefits administers, the read model of membership and contributions, the
claims, the payouts and JPK's facilities, facility choices and care records."""
from sqlalchemy import MetaData

from services.benefits.adapters.claim_tables import claim_tables
from services.benefits.adapters.jpk_tables import jpk_tables
from services.benefits.adapters.payout_tables import payout_tables
from services.chassis.membership_replica import MembershipReplica, Part
from services.chassis.office_replica import OfficeReplica
from services.chassis.payout_file_store import PayoutFileTables
from services.chassis.rule_store import RuleStore
from services.chassis.standing_replica import StandingReplica
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
offices = OfficeReplica(metadata)
rule_store = RuleStore(metadata, "benefits")
membership = MembershipReplica(metadata, {Part.WORKER_IDENTITY, Part.FAMILY})  # what claims are decided on
standing = StandingReplica(metadata, with_branch=True)  # C-8 history: when arrears were paid off (B-JPK-6)
claims = claim_tables(metadata)
payouts = payout_tables(metadata)
payout_files = PayoutFileTables(metadata)
jpk = jpk_tables(metadata)
