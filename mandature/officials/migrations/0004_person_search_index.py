"""An index for the search of officials by name: a range on the match key (« dupont|jean|… »)
in binary order, on PostgreSQL whatever the database's collation."""

from django.db import migrations


def create(apps, schema_editor):
    collate = ' COLLATE "C"' if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX officials_person_search ON officials_person (match_key{collate})"
    )


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX officials_person_search")


class Migration(migrations.Migration):
    dependencies = [("officials", "0003_enrichment_moves_to_relations")]
    operations = [migrations.RunPython(create, drop)]
