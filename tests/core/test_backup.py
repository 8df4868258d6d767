"""`mandature backup` and `mandature restore`: a populated database backed up, restored into an
empty one, and every table compared (row counts, and a checksum of the officials, contact cards
and interactions)."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from mandature.officials.services import commune_team
from mandature.ops.backup import Database
from mandature.relations.models import Contact, Interaction
from mandature.territories.models import Commune
from tests.conftest import load_national_territories

pytestmark = [pytest.mark.flushes, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database of the same engine, dropped afterwards."""
    source = Database.configured()
    if source.engine == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        return
    import psycopg

    name = "mandature_restore_test"
    with psycopg.connect(source.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield Database(source.url.rsplit("/", 1)[0] + f"/{name}")
    with psycopg.connect(source.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_backup_then_restore_into_an_empty_database_loses_nothing(
    tmp_path, settings, empty_database, capsys
):
    load_national_territories()
    mayor = commune_team(Commune.objects.get(code="59350")).mayor.person
    Contact.objects.create(person=mayor, email="cabinet@lille.test", phone="03 20 49 50 00")
    meeting = Interaction.objects.create(
        kind="meeting", date=date(2026, 5, 4), summary="Rencontre « logement des jeunes »"
    )
    meeting.persons.add(mayor)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "publications").mkdir(parents=True)
    (tmp_path / "media" / "publications" / "brochure.pdf").write_bytes(b"%PDF-1.7 brochure")
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", out=str(archive))
    assert "Sauvegarde écrite" in capsys.readouterr().out

    settings.MEDIA_ROOT = str(tmp_path / "media-restored")
    connections.close_all()
    call_command("restore", str(archive), database=empty_database.url)
    assert "chaque table vérifiée" in capsys.readouterr().out
    before, after = Database.configured().inventory(), empty_database.inventory()
    assert after["counts"] == before["counts"]
    assert after["counts"]["officials_person"] > 40_000
    assert after["counts"]["relations_contact"] == 1
    assert after["checksums"] == before["checksums"] and len(after["checksums"]) == 3
    restored = tmp_path / "media-restored" / "publications" / "brochure.pdf"
    assert restored.read_bytes() == b"%PDF-1.7 brochure"

    # a database that is not empty is not overwritten without --yes
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), database=empty_database.url)
    assert refused.value.returncode == 2 and "n'est pas vide" in str(refused.value)
    # not a backup
    bad = tmp_path / "pas-une-sauvegarde.tar"
    bad.write_bytes(b"bonjour")
    with pytest.raises(CommandError) as wrong:
        call_command("restore", str(bad), database=empty_database.url)
    assert "n'est pas une sauvegarde de Mandature" in str(wrong.value)
