"""Rate limits hold under parallel requests: the counter is incremented and read by one atomic
statement, so that of N requests arriving together exactly the limit pass, in any process (each
thread here has its own database connection, as each gunicorn worker has)."""

import threading

import pytest
from django.db import connection

from mandature.core import ratelimit

pytestmark = [pytest.mark.flushes, pytest.mark.django_db(transaction=True)]


class FrozenClock:
    """The same instant for every thread: the test never straddles two periods."""

    @staticmethod
    def time() -> float:
        return 1_800_000_030.0


def test_exactly_the_limit_passes_when_requests_arrive_together(monkeypatch):
    # counted in the database, whatever the cache (with the production file cache, whose add
    # and incr are not atomic, 40 of 40 parallel requests passed a limit of 25)
    monkeypatch.setattr(ratelimit, "time", FrozenClock)
    people, limit = 40, 25
    barrier = threading.Barrier(people)
    waits: list[int] = []
    errors: list[BaseException] = []

    def request():
        try:
            barrier.wait()
            waits.append(ratelimit.hit("api:user:1", f"{limit}/min"))
        except BaseException as error:  # reported below, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert waits.count(0) == limit
    # the others wait until the next minute: 1_800_000_030 is 30 s into its minute
    assert sorted(set(waits) - {0}) == [30]
    # another key has its own count; the next period starts again from zero
    assert ratelimit.hit("api:user:2", f"{limit}/min") == 0
    monkeypatch.setattr(FrozenClock, "time", staticmethod(lambda: 1_800_000_090.0))
    assert ratelimit.hit("api:user:1", f"{limit}/min") == 0


def test_the_wait_is_said_in_french():
    assert ratelimit.wait_message(12) == "Trop de requêtes\u00a0: réessayez dans 12\u00a0secondes."
    assert ratelimit.wait_message(1).endswith("dans 1\u00a0seconde.")
