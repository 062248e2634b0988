import pytest

from integrity_portal.celery import app


@pytest.fixture
def eager_tasks():
    """Run tasks in-process as embedded mode does, even when a broker is configured."""
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Staff are created per test; PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
