from services.chassis.migrations import run_migrations
from services.welfare.adapters.tables import metadata

run_migrations(metadata)
