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


@pytest.fixture(autouse=True)
def sanction_catalogue(request):
    """A transactional test anywhere in the run ends with a flush that also empties the
    catalogue the migration seeded; put it back for tests that use the database."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from sanctions.catalogue import seed_catalogue

    seed_catalogue()
