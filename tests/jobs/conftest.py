"""The job tests use the case tests' world and clock."""

from tests.cases.conftest import clock, world  # noqa: F401 - fixtures
