"""Rate limits of the pages anyone can post to (login, password reset, the personal links'
answers, unsubscribe…): so many requests per address and period, counted in the cache every
process shares. Over it: 429 and a French page saying when to try again."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render

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


def over_limit(request, scope: str) -> int:
    """0 when the request may go on, else the seconds to wait (the request is counted)."""
    count, period = parse(settings.RATE_LIMITS[scope])
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    cache = caches["shared"]
    if cache.add(key, 1, timeout=period + 1):
        return 0
    try:
        seen = cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=period + 1)
        return 0
    if seen > count:
        return max(1, period - int(time.time()) % period)
    return 0


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
