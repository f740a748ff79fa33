from services.chassis.migrations import run_migrations
from services.benefits.adapters.tables import metadata

run_migrations(metadata)
