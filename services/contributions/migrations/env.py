from services.chassis.migrations import run_migrations
from services.contributions.adapters.tables import metadata

run_migrations(metadata)
