"""The catalogue the other reliability tests are parametrised over is every RPC the servers serve."""
from __future__ import annotations

import pytest

from tests.reliability.rpc_catalogue import ALL_RPCS, SERVICES, registered_rpcs


@pytest.mark.parametrize("service", SERVICES)
def test_the_catalogue_lists_every_rpc_the_server_registered(platform, service):
    running = platform[service]
    served = {rpc.path for rpc in registered_rpcs(service, running.runtime)}
    catalogued = {rpc.path for rpc in ALL_RPCS if rpc.service == service}
    assert served == catalogued, {"served, not catalogued": served - catalogued, "catalogued, not served": catalogued - served}


def test_the_catalogue_covers_the_domain_services():
    assert {rpc.service for rpc in ALL_RPCS} >= {"membership", "contributions"}
    assert len({rpc.id for rpc in ALL_RPCS}) == len(ALL_RPCS), "test ids must be unique"


@pytest.mark.parametrize("service", SERVICES)
def test_service_methods_name_only_rpcs_the_service_serves(platform, service):
    running = platform[service]
    served = {rpc.path for rpc in registered_rpcs(service, running.runtime)}
    assert running.service_methods <= served, running.service_methods - served
