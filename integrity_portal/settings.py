"""Settings: one module, read from environment variables (documented in README.md).

Embedded defaults (SQLite file, in-process tasks, local-memory cache) need no configuration.
With PRODUCTION=true the process refuses to start on unsafe values.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("PRODUCTION", default=False)
# Only when asked for: a forgotten PRODUCTION flag must not publish tracebacks and settings.
DEBUG = env_bool("DEBUG", default=False)

_EMBEDDED_SECRET_KEY = "embedded-development-key-not-for-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _EMBEDDED_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    if SECRET_KEY == _EMBEDDED_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the site's host names")
    if 0 < len(env_str("ACCESS_CODE_KEY")) < 32:
        problems.append("ACCESS_CODE_KEY, when set, must be at least 32 characters")
    if 0 < len(env_str("EVENT_CHAIN_KEY")) < 32:
        problems.append("EVENT_CHAIN_KEY, when set, must be at least 32 characters")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    # Django's admin with the project's site: the login's lockout and the second factor.
    "agencies.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "integrity_portal",
    "agencies",
    "sharing",
    "complaints",
    "credit_records",
    "sanctions",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "integrity_portal.middleware.NulInPathMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "agencies.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "integrity_portal.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "integrity_portal.urls"
WSGI_APPLICATION = "integrity_portal.wsgi.application"
AUTH_USER_MODEL = "agencies.User"
LOGIN_URL = "/console/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "integrity_portal.navigation.navigation",
                "integrity_portal.public_site.site_context",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections in production save a TCP + auth round trip per request.
        # Django's health check (CONN_HEALTH_CHECKS) is off by default, as in Django: it is a
        # `SELECT 1` of its own, i.e. one more transaction, before every request's first
        # query (measured: 2.4 instead of 1.2 transactions per submitted complaint). Without
        # it a connection the database dropped (restart, failover) fails the one request
        # that meets it, answered 503 with Retry-After (integrity_portal.outage), and Django
        # discards it when that request ends (tests/test_database_reconnect.py).
        conn_max_age=env_int("CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", default=False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the embedded server read while a task writes; the timeout waits out a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # The evaluation's covering index (complaints_evaluation_idx) INCLUDEs its columns on
    # PostgreSQL; SQLite builds it as a plain index, which is what the embedded mode needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postg")

# --- cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Redis is never a single point of failure (docs/ARCHITECTURE.md, "Redis down"): an
# unreachable cache answers "nothing cached" within a quarter of a second and the failure is
# logged; each control that reads the cache says what it does then.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.25,
    "SOCKET_TIMEOUT": 0.25,
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "integrity_portal.redis"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ip",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
# Unset broker = embedded mode: tasks run in-process, synchronously, when they are enqueued.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
# Publishing must fail fast when Redis is down: the outbox row is already committed and the
# periodic sweep delivers it later, so a request never hangs on a dead broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Webhook receivers (DESIGN section 13): comma-separated host names, addresses or CIDR ranges;
# empty: any host but the portal itself (intranet receivers sit on private addresses).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Subscriptions a worker sends to at once (each one's deliveries stay in order). The
# embedded mode's single SQLite connection sends them one after another.
WEBHOOK_DELIVERY_THREADS = env_int("WEBHOOK_DELIVERY_THREADS", 8 if USING_POSTGRES else 1)

# The worker outlives the broker: it retries connecting at start-up and after a loss, forever,
# and on a loss gives up the tasks it was running (late acknowledgement: the broker redelivers
# them) instead of exiting while restoring them. Compose restarts a worker whose health check
# finds it deaf (docker-compose.yml).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE: dict = {
    # Sharing: number newly committed changes, fan them out and deliver webhooks (the web
    # processes also enqueue a run after each change; this is the safety net).
    "sharing-webhooks-run": {
        "task": "sharing.tasks.webhooks_run",
        "schedule": 10.0,
    },
    # Every periodic job of the product is declared here and nowhere else.
    # Credit records: outcome events not yet ingested (lost message, dead worker).
    "credit-records-complaint-event-sweep": {
        "task": "credit_records.tasks.sweep_complaint_events",
        "schedule": 60.0,
    },
    # Credit records past their publicity end -> expired (date-based; hourly is plenty).
    "credit-records-expire-publicity": {
        "task": "credit_records.tasks.expire_publicity",
        "schedule": 3600.0,
    },
    # Pushed dishonest_debtor / arrears records past their deadline to perform: one
    # supervision notice each to the agency's supervising department (date-based; hourly).
    "credit-records-perform-deadlines": {
        "task": "credit_records.tasks.perform_deadline_sweep",
        "schedule": 3600.0,
    },
    # Reconcile every agency's credit score with its records (nightly safety net).
    "credit-records-recompute-scores": {
        "task": "credit_records.tasks.recompute_all_agency_scores",
        "schedule": 86400.0,
    },
    # The annual publication of overdue payments to SMEs: drafted from 1 January (daily job,
    # idempotent), published by the credit office by 31 March (DESIGN section 12).
    "credit-records-arrears-publication": {
        "task": "credit_records.tasks.arrears_publication_sweep",
        "schedule": 86400.0,
    },
    # In March, while the previous year is unpublished: a weekly e-mail to the credit office.
    "credit-records-arrears-publication-reminder": {
        "task": "credit_records.tasks.arrears_publication_reminder",
        "schedule": 86400.0,
    },
    "complaints-notification-sweep": {
        "task": "complaints.tasks.notification_sweep",
        "schedule": 60.0,
    },
    # Evidence staged on public forms never submitted: removed after a day.
    "complaints-staged-uploads-purge": {
        "task": "complaints.tasks.staged_uploads_purge",
        "schedule": 3600.0,
    },
    # Public statistics (/stats/): grouped counts over every complaint, computed here.
    "complaints-stats-refresh": {
        "task": "complaints.tasks.stats_refresh",
        "schedule": 600.0,
    },
    # Public rates (/stats/): 按时办结率, 整改率, 满意率 from the evaluation's counts.
    "evaluation-public-rates-refresh": {
        "task": "evaluation.tasks.public_rates_refresh",
        "schedule": 600.0,
    },
    # Evaluation (考核): the quarterly and annual reports once their period has ended.
    "evaluation-build-due-reports": {
        "task": "evaluation.tasks.build_due_reports",
        "schedule": 3600.0,
    },
    # Deadline supervision: reminders, 督办函, 约谈 flags (complaints.tasks).
    "complaints-deadline-sweep": {
        "task": "complaints.tasks.deadline_sweep",
        "schedule": 600.0,
    },
    # Sanctions: agencies whose records changed but whose reconcile message was lost.
    "sanctions-record-change-sweep": {
        "task": "sanctions.tasks.sweep_record_changes",
        "schedule": 120.0,
    },
    # Sanctions: nightly reconcile of every agency (windows that passed, rule edits).
    "sanctions-reconcile-all": {
        "task": "sanctions.tasks.reconcile_all_agencies",
        "schedule": 86400.0,
    },
    # Repairs past their 10-working-day decision deadline → overdue tasks for the credit office.
    "sanctions-repair-deadline-sweep": {
        "task": "sanctions.tasks.repair_deadline_sweep",
        "schedule": 3600.0,
    },
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence files live outside static files and are served only by permission-checked views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# No URL serves MEDIA_ROOT: evidence goes out only through permission-checked download views.
# The prefix exists because Django's test live server insists on a parseable value.
MEDIA_URL = "/media-not-served/"
WHITENOISE_USE_FINDERS = not PRODUCTION
# Embedded mode serves static files straight from the finders (no collectstatic, so no
# STATIC_ROOT directory); only production builds and serves the collected, hashed copies.
WHITENOISE_AUTOREFRESH = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@integrity-portal.invalid")
# The public site's footer (government-site conventions): hosting office (主办单位), contact
# phone, ICP filing number (ICP备案号) and site identification code (网站标识码).
SITE_HOST_OFFICE = env_str("SITE_HOST_OFFICE", "社会信用体系建设领导小组办公室")
SITE_CONTACT_PHONE = env_str("SITE_CONTACT_PHONE", "12345")
SITE_ICP_NUMBER = env_str("SITE_ICP_NUMBER")
SITE_IDENTIFICATION_CODE = env_str("SITE_IDENTIFICATION_CODE")
# The portal's public address, for links in e-mails and SMS (the receipt's tracking link).
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# SMS gateway: dotted path to a class with ``send(phone, body)``; the default only logs.
SMS_BACKEND = env_str("SMS_BACKEND", "complaints.services.notifications.LoggingSmsBackend")

# Public statistics (/stats/) rank an agency only with at least this many complaints.
STATS_MIN_CASES = max(1, env_int("STATS_MIN_CASES", 5))
# 回访: a closed case nobody rated goes on the credit office's follow-up list after this many
# working days (seed 000: 满意度反馈 … 不满意的 … 跟踪处理).
FOLLOW_UP_UNRATED_WORKDAYS = max(1, env_int("FOLLOW_UP_UNRATED_WORKDAYS", 5))
# Evaluation (考核) ranks a group only with at least this many complaints in the period.
EVALUATION_MIN_CASES = max(1, env_int("EVALUATION_MIN_CASES", 5))

# --- API ------------------------------------------------------------------------------------
# Anonymous intake limit per client address; an empty value turns it off (load benchmarks).
INTAKE_RATE_LIMIT = env_str("INTAKE_RATE_LIMIT", "30/hour") or None
# Reverse proxies in front of the application that append to X-Forwarded-For (0: none, the
# connection's address is the client's).
TRUSTED_PROXY_COUNT = max(0, env_int("TRUSTED_PROXY_COUNT", 0))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # External systems' tokens (``ipc_…``), then staff tokens (both cached for a minute:
        # see the module), then the console's session.
        "credit_records.api.authentication.IntegrationTokenAuthentication",
        "credit_records.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "integrity_portal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "integrity_portal.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "integrity_portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "intake": INTAKE_RATE_LIMIT,
        "login": env_str("LOGIN_RATE_LIMIT", "20/min") or None,
        "track": env_str("TRACK_RATE_LIMIT", "30/min") or None,
        # 找回查询码: one-time codes requested per client address and per reference.
        "recovery": env_str("RECOVERY_RATE_LIMIT", "10/hour") or None,
        "recovery_reference": env_str("RECOVERY_REFERENCE_RATE_LIMIT", "3/hour") or None,
    },
    # Client addresses (throttles, lockout records) come from X-Forwarded-For only when a
    # trusted reverse proxy is declared; otherwise anyone could claim any address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Integrity Portal API · 政务诚信履约投诉平台接口",
    "VERSION": "1.0.0",
    # Served from the sidecar package: the product runs in intranets without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- access codes ---------------------------------------------------------------------------
# Keyed HMAC-SHA256 (DESIGN section 11); a separate key lets operators rotate SECRET_KEY
# without invalidating every complainant's access code.
ACCESS_CODE_KEY = env_str("ACCESS_CODE_KEY", SECRET_KEY)

# --- the event chain ------------------------------------------------------------------------
# Key of the complaint event log's HMAC chain. Outside the database on purpose: whoever can
# edit rows and recompute plain hashes forward cannot forge keyed ones. Changing it makes every
# stored chain fail verification, so set it once before going live and keep it.
EVENT_CHAIN_KEY = env_str("EVENT_CHAIN_KEY", SECRET_KEY)

# --- the staff's second factor (DESIGN section 11) ------------------------------------------
# On: credit officers and superusers must enrol a TOTP app and give its code after the password
# (console, admin, the API's token endpoint). Default on in production, off in the embedded
# and demo setups. Anyone else may enrol at /console/account/security/ either way.
STAFF_REQUIRE_TOTP = env_bool("STAFF_REQUIRE_TOTP", default=PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Integrity Portal")

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz and /readyz are probed over plain HTTP from inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
