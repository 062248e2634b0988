"""The Celery application. Broker and beat schedule come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")

app = Celery("integrity_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
