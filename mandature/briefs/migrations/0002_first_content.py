"""Seed the first version of the brief's questions (see briefs/seed.py)."""

from django.db import migrations

from mandature.briefs.seed import seed_first_content


def seed(apps, schema_editor):
    seed_first_content(apps.get_model("briefs", "BriefContent"), apps.get_model("briefs", "BriefQuestion"))


class Migration(migrations.Migration):
    dependencies = [("briefs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
