"""The shared-service fixtures of the membership service tests, for every module here.

Defined in employers_support.py and workers_fixtures.py next to their helpers; offered here
so that a test module asks for them by parameter name instead of importing them.
"""
from tests.membership.service.employers_support import as_shared_user, shared_membership  # noqa: F401 - fixtures
from tests.membership.service.workers_fixtures import binjai_npp, caller, shared_service  # noqa: F401 - fixtures
