"""gunicorn settings for the web service (docker-compose). Values come from the environment."""

import os

bind = "0.0.0.0:8000"  # inside the container; compose publishes the port
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Each worker touches a heartbeat file on every request; in a container /tmp sits on the
# overlay filesystem, where that write can stall a worker (gunicorn's deployment docs advise
# memory instead). Docker gives every container a /dev/shm.
worker_tmp_dir = "/dev/shm"  # noqa: S108 — gunicorn uses mkstemp there and unlinks at once
# Recycle workers now and then so a slow leak can never grow without bound; but seldom: a new
# worker costs about 0.75 s of CPU (loading Django, then its first request), and at 2,000
# requests a credit-check load of 1,000/s replaced a worker every 2 s, a sixth of two cores.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
