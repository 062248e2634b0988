import pytest


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_tasks):
    """Unit tests run tasks in-process as embedded mode does, even when a broker is set (the
    real-worker path is covered by tests/integration)."""
