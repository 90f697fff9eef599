# The path fixtures (staff in every role, starting a client's path) are shared with the
# workflow tests.
from tests.workflows.conftest import staff, start_path  # noqa: F401
