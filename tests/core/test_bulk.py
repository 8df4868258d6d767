"""Bulk writes: every row arrives, whatever the batch sizes (COPY on PostgreSQL, INSERTs of
up to 100 rows on SQLite)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from mandature.core.bulk import insert_rows


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
        found = [(i, name, day if isinstance(day, date) or day is None else date.fromisoformat(day))
                 for i, name, day in cursor.fetchall()]  # fmt: skip
        cursor.execute("DROP TABLE bulk_check")
    assert found == rows
