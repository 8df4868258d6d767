"""Bulk writes: every row arrives, whatever the batch sizes (COPY on PostgreSQL, INSERTs of
up to 100 rows on SQLite)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from mandature.core.ingest.engine import insert_rows


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 20_001])
def test_insert_rows_writes_every_row_with_its_values(db, count):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bulk_check (id integer PRIMARY KEY, name varchar(50), day date NULL)"
        )
        rows = [
            (
                n,
                f"Élu·e n° {n} « test »",
                date(2026, 3, 15) + timedelta(days=n % 7) if n % 3 else None,
            )
            for n in range(1, count + 1)
        ]
        assert insert_rows("bulk_check", ["id", "name", "day"], iter(rows)) == count
        cursor.execute("SELECT id, name, day FROM bulk_check ORDER BY id")
        found = [
            (i, name, day if isinstance(day, date) or day is None else date.fromisoformat(day))
            for i, name, day in cursor.fetchall()
        ]
        cursor.execute("DROP TABLE bulk_check")
    assert found == rows


def test_an_import_pauses_the_garbage_collector_and_gives_it_back_even_on_error(
    db, tmp_path, monkeypatch
):
    """A worker process must not be left without its collector by an import, good or bad."""
    import gc

    from mandature.officials import importer
    from mandature.officials.sources.rne import RneFileError
    from tests.officials.files import HEADER

    seen = []
    parse = importer.parse_text

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(importer, "parse_text", spy)
    bad = tmp_path / "maires.csv"
    bad.write_text(f"{HEADER}\n01;Ain;;;99999;Nulle part;DUPONT;Marie;F;01/01/1970;;;15/03/2026;\n")
    assert gc.isenabled()
    with pytest.raises(RneFileError):
        importer.import_rne(bad)
    assert seen == [False] and gc.isenabled()


def test_a_bulk_job_raises_sqlites_page_cache_and_sets_it_back(db):
    """A national import writes in a page cache of its own size; the connection gets its own
    back after the job, even after an error (PostgreSQL: nothing to change)."""
    from django.db import connection

    from mandature.core.ingest.engine import BULK_CACHE_KIB, bulk_job

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    if connection.vendor != "sqlite":
        with bulk_job():
            pass
        return
    before = cache_size()
    with pytest.raises(ZeroDivisionError), bulk_job():
        assert cache_size() == -BULK_CACHE_KIB
        1 / 0  # noqa: B018
    assert cache_size() == before
