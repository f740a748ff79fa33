"""Tables of this service's own database."""
from sqlalchemy import MetaData

from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
