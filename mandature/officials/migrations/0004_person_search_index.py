"""The index for the search of officials by name (see mandature/officials/search_index.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from mandature.officials.search_index import create

    create(schema_editor.connection)


def drop(apps, schema_editor):
    from mandature.officials.search_index import drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("officials", "0003_enrichment_moves_to_relations")]
    operations = [migrations.RunPython(create, drop)]
