"""What pages derive from the national data is kept in the process until an import changes it:
a new file shows at once, in every process, and nothing else is read again meanwhile."""

from datetime import date

import pytest

from mandature.core import memo
from mandature.core.models import ImportRun
from mandature.officials.models import Snapshot

pytestmark = pytest.mark.django_db


def test_a_national_value_is_computed_once_until_the_data_changes():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    memo.begin_request()
    assert memo.national("test-value", compute) == 1
    assert memo.national("test-value", compute) == 1
    memo.end_request()
    memo.begin_request()  # another request, same data: still kept
    assert memo.national("test-value", compute) == 1
    memo.end_request()
    ImportRun.objects.create(
        source="test", file_name="x.csv", sha256="0" * 64, status=ImportRun.Status.SUCCESS
    )
    memo.begin_request()
    assert memo.national("test-value", compute) == 2
    memo.end_request()
    assert len(calls) == 2


def test_per_request_values_end_with_the_request():
    calls = []
    memo.begin_request()
    memo.per_request("x", lambda: calls.append(1))
    memo.per_request("x", lambda: calls.append(1))
    memo.end_request()
    memo.per_request("x", lambda: calls.append(1))  # outside a request: computed each time
    assert len(calls) == 2


def snapshot(data_date: date, name: str) -> Snapshot:
    return Snapshot.objects.create(
        kind="maires",
        data_date=data_date,
        date_source="option",
        file_name=name,
        sha256=name.ljust(64, "0"),
        layout="test",
        encoding="utf-8",
    )


def test_the_home_page_shows_a_new_mayors_file_at_once(client):
    snapshot(date(2026, 4, 17), "a")
    assert "RNE maires au 17 avril 2026" in client.get("/").content.decode()
    snapshot(date(2026, 9, 1), "b")
    page = client.get("/").content.decode()
    assert "RNE maires au 1er septembre 2026" in page
    assert "RNE maires au 17 avril 2026" not in page
