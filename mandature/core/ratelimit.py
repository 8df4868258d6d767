"""Rate limits: the pages anyone can post to (login, password reset, the personal links'
answers, unsubscribe…), per address, and the API, per user. Every limit is so many requests per
period, counted in the database that every process shares, by one atomic statement (an
« upsert »): parallel requests are all counted, in any gunicorn worker. Over it: 429 with
Retry-After, and a French page (or a French JSON answer for the API) saying when to try again."""

import time
from functools import wraps

from django.conf import settings
from django.db import connection
from django.shortcuts import render

from .french import typography
from .models import RateCounter

PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse(rate: str) -> tuple[int, int]:
    """« 10/min » → (10, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip()]


def client_address(request) -> str:
    """The client's address: behind our reverse proxy (HTTPS=1), the last address it added."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def hit(key: str, rate: str) -> int:
    """Counts one request under `key` for `rate` (« 600/min »): 0 when it may go on, else the
    seconds to wait until the next period. The counter is incremented and read in a single
    INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL and SQLite ≥ 3.35), so that N
    parallel requests see N distinct counts and exactly `count` of them pass."""
    count, period = parse(rate)
    now = time.time()
    start = int(now // period) * period
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, period_start, hits, expires) VALUES (%s, %s, 1, %s) "
            f"ON CONFLICT (key, period_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key[:200], start, start + period],
        )
        seen = cursor.fetchone()[0]
        if seen == 1:  # a new period for this key: forget the periods that are over
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [int(now) - 1])
    if seen > count:
        return max(1, start + period - int(now))
    return 0


def over_limit(request, scope: str) -> int:
    """0 when the request may go on, else the seconds to wait (the request is counted)."""
    return hit(f"{scope}:{client_address(request)}", settings.RATE_LIMITS[scope])


def wait_message(wait: int) -> str:
    """« Trop de requêtes : réessayez dans 12 secondes. »"""
    unit = "seconde" if wait == 1 else "secondes"
    return typography(f"Trop de requêtes : réessayez dans {wait}\u00a0{unit}.")


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)):
    """View decorator: the scope's limit (settings.RATE_LIMITS) on these methods."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                wait = over_limit(request, scope)
                if wait:
                    response = render(request, "web/too_many.html", {"wait": wait}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
