"""Alembic migrations per service, applied at start.

Each service has `services/<name>/migrations/` with an `env.py` of two lines:

    from services.chassis.migrations import run_migrations
    from services.<name>.adapters.tables import metadata
    run_migrations(metadata)

After `upgrade head`, in the same transaction, the row-security policies are brought in
line with that metadata (`row_security.apply_policies`, PostgreSQL only): no revision
carries them, so a table added by any revision gets its policy at the next start.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData

from . import row_security

# Where env.py leaves the service's metadata for upgrade_to_head (the policies come from it).
_METADATA = "jamsos_target_metadata"


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine, script_location: Path) -> None:
    config = alembic_config(script_location, engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        # A migration acts for the platform: a revision that moves data sees every branch.
        with row_security.system_path(connection):
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # services may keep parallel migration branches
        metadata = config.attributes.get(_METADATA)
        if metadata is not None:
            row_security.apply_policies(connection, metadata)


def run_migrations(target_metadata: MetaData) -> None:
    """Body of every service's env.py (online mode only: we always migrate a live database)."""
    from alembic import context as alembic_context
    from sqlalchemy import create_engine

    config = alembic_context.config
    config.attributes[_METADATA] = target_metadata
    connection = config.attributes.get("connection")

    def configure_and_run(conn: Connection) -> None:
        alembic_context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",  # SQLite alters tables by copy
            compare_type=True,
        )
        with alembic_context.begin_transaction():
            alembic_context.run_migrations()

    if connection is not None:
        configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None  # alembic_config() always sets it
    engine = create_engine(url)
    with engine.begin() as conn:
        configure_and_run(conn)
