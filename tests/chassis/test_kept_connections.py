"""SQLite's kept lookup connections (`lookups._KeptConnections`): one handed back is used
again; a dispose of the engine closes those kept, and one in use across the dispose (taken
from the pool disposed then) is not kept when handed back."""
from __future__ import annotations

from services.chassis.database import make_engine
from services.chassis.lookups import _KeptConnections


def test_a_connection_handed_back_is_used_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/kept.db")
    kept = _KeptConnections(engine)
    first = kept.take()
    kept.give_back(first)
    assert kept.take() is first
    engine.dispose()


def test_a_connection_in_use_across_a_dispose_is_not_kept_when_handed_back(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/kept.db")
    kept = _KeptConnections(engine)
    idle, in_use = kept.take(), kept.take()
    kept.give_back(idle)
    engine.dispose()  # closes the kept one
    kept.give_back(in_use)  # from the disposed pool: back to it, not kept
    fresh = kept.take()
    assert fresh is not in_use and fresh is not idle
    assert fresh.driver_connection.execute("SELECT 1").fetchone() == (1,)
    kept.give_back(fresh)
    assert kept.take() is fresh  # taken after the dispose: kept as usual
    engine.dispose()
