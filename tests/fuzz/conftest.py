"""Fuzz fixtures: the request count is written to test-artifacts/fuzz.json at the end of the session."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz import requests

settings.register_profile(
    "fuzz", deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="session", autouse=True)
def count_requests() -> Iterator[None]:
    yield
    requests.save_count()
