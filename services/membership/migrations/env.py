from services.chassis.migrations import run_migrations
from services.membership.adapters.tables import metadata

run_migrations(metadata)
