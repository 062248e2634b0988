import pytest

from integrity_portal.celery import app


@pytest.fixture(autouse=True)
def eager_tasks():
    """Unit tests run tasks in-process as embedded mode does, even when a broker is set (the
    real-worker path is covered by tests/integration)."""
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
