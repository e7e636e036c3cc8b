"""The dashboards' personas, for the security tests that open a post page."""

from tests.dashboard.conftest import duty_client, duty_officer  # noqa: F401  (fixtures)
