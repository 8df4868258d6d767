"""The index behind the search of officials by name: a range on the match key
(« dupont|marie|… ») in binary order, on PostgreSQL whatever the database's collation.

A first national import drops it and builds it again once at the end, as the other indexes
of the tables it fills (`mandature.core.ingest.engine.indexes_rebuilt`).
"""

from django.db import connection

from mandature.core.ingest.engine import engine

NAME = "officials_person_search"


def create(schema_connection=None) -> None:
    conn = schema_connection or connection
    collate = engine(conn).binary_collation()
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON officials_person (match_key{collate})"
        )


def drop(schema_connection=None) -> None:
    with (schema_connection or connection).cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {NAME}")
