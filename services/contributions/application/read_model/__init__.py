"""Component `read_model`: membership's events into the read model (rm_* tables)."""
from services.contributions.application.read_model.use_cases import CONSUMER, ReadModel, build, consumers  # noqa: F401
