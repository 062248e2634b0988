import pytest

from integrity_portal.celery import app


@pytest.fixture
def eager_tasks():
    """Run tasks in-process as embedded mode does, even when a broker is configured."""
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
