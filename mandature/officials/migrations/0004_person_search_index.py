"""The index for the search of officials by name (see mandature/officials/search_index.py)."""

from django.db import migrations

# The helpers are imported when the migration runs, not when it is loaded (every command loads
# the migrations), and their names are those of the functions below.


def create(apps, schema_editor):
    from mandature.officials.search_index import create

    create(schema_editor.connection)


def drop(apps, schema_editor):
    from mandature.officials.search_index import drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("officials", "0003_enrichment_moves_to_relations")]
    operations = [migrations.RunPython(create, drop)]
