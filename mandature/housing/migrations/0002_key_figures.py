"""Seed the sector's key figures (see housing/seed.py)."""

from django.db import migrations

from mandature.housing.seed import seed_key_figures


def seed(apps, schema_editor):
    seed_key_figures(apps.get_model("housing", "KeyFigure"))


class Migration(migrations.Migration):
    dependencies = [("housing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
