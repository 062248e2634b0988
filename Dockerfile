# Integrity Portal image: one image for web (gunicorn), worker and beat (celery), and migrate.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=integrity_portal.settings \
    PRODUCTION=true \
    MEDIA_ROOT=/var/lib/portal/media

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /var/lib/portal/media /var/lib/portal/beat \
    && chown -R portal:portal /var/lib/portal

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable install: settings find templates/, static/ and locale/ beside the code in /app.
RUN pip install --no-deps -e .

# Static files are collected at build time. The secret and host below exist only for this one
# command (not ENV, so they are not in the image configuration); the runtime refuses to start
# until .env provides real values.
RUN PRODUCTION=true \
    SECRET_KEY=build-time-only-collectstatic-key-never-used-at-runtime-0000000000 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput -v0

USER portal
EXPOSE 8000

# docker-compose runs the same image as worker, beat and the one-shot migrate service.
CMD ["gunicorn", "integrity_portal.wsgi:application", "--config", "docker/gunicorn.conf.py"]
