"""The service tests reuse the path fixtures of the workflow tests."""

from tests.workflows.conftest import staff, start_path  # noqa: F401 - fixtures
