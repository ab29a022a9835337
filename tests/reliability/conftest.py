"""The reliability suite runs stages in the same temporary git + DVC repos as tests/e2e."""

from tests.e2e.conftest import repo  # noqa: F401  (the fixture, shared)
