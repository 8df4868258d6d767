"""Settings for the test suite: the base settings, with static files served from the apps."""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, VAR_DIR
from .env import env_str

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run at once, in the test's own process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"},
}

BRIEF_WORKERS = 1  # batches of briefs run in the test process (no worker processes)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"

# On SQLite the test database is a file, so that a worker process started by a test (the
# campaigns' fault tests) sees the same data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("SQLITE_TEST_NAME") or str(VAR_DIR / "test.sqlite3")
    }
# Campaigns: retries and resumption after a second, not a minute.
CAMPAIGN_RETRY_SECONDS = 1
CAMPAIGN_POLL_SECONDS = 1

# The API's rate limit is tested on its own (tests/api): elsewhere, no test waits for it.
API_RATE_LIMIT = "100000/min"
# The pages' rate limits too (tested on their own in tests/core/test_security.py).
RATE_LIMITS = {"login": "100000/min", "public": "100000/min"}
OFFICIALS_SYNC_AT = ""  # no scheduled synchronisation in a worker under test
