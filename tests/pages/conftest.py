from tests.workflows.conftest import staff, start_path  # noqa: F401 - the shared fixtures
